// `tsflink run` without a cluster: with metrics.reporter.* set, the embedded cluster serves the
// JobManager's and the TaskManager's metrics (its slot workers' too) from one Prometheus endpoint.
import { afterAll, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { EmbeddedCluster } from './EmbeddedCluster.js';
import { Configuration } from '../configuration/index.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';

let cluster: EmbeddedCluster | undefined;
afterAll(async () => { await cluster?.close(); });

describe('EmbeddedCluster metric reporters', () => {
  it('serves flink_jobmanager_* and flink_taskmanager_* (with the slots\' heap) on the configured port', async () => {
    cluster = new EmbeddedCluster(Configuration.fromMap({
      'metrics.reporter.prom.factory.class': 'prometheus', 'metrics.reporter.prom.port': '0', 'taskmanager.numberOfTaskSlots': '2',
    }));
    await cluster.ensureStarted({ vertices: [] } as unknown as JobGraphSpec);
    const [r] = cluster.metricReporters;
    expect(r).toMatchObject({ name: 'prom', host: '127.0.0.1' });
    const text = await (await fetch(`http://127.0.0.1:${r!.port}/metrics`)).text();
    const f = new Map((parsePrometheusTextFormat(text) as Array<{ name: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> }>).map((x) => [x.name, x]));
    expect(f.get('flink_jobmanager_taskSlotsTotal')!.metrics[0]!.value).toBe('2');
    expect(f.get('flink_jobmanager_numRegisteredTaskManagers')!.metrics[0]!.value).toBe('1');
    expect(Number(f.get('flink_taskmanager_Status_JVM_Memory_Heap_Used')!.metrics[0]!.value)).toBeGreaterThan(1e6);
    expect(f.get('flink_taskmanager_Status_Slot_Heap_Max')!.metrics.map((m) => m.labels!['Slot']).sort()).toEqual(['0', '1']);
  });
});
