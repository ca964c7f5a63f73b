import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { FAILOVER_RESTARTS, runKillingOneTaskManager } from '../../testing/killOneTaskManager.js';
import { windowsExpected } from './fixtures/windows-job.js';

// Tumbling reduce, sliding aggregate (SlicingWindowOperator) and session windows on a standalone
// cluster of real processes (JobManager on 127.0.0.2, TaskManagers on .3 and .4, a replacement on
// .13): a TaskManager is killed with SIGKILL mid-run, the job restarts from its latest checkpoint,
// and the exactly-once FileSink holds every window result exactly once.
const root = resolve(import.meta.dirname, '../../..');
const N = 6000;
let cluster: ClusterProcesses;

beforeAll(async () => { cluster = await ClusterProcesses.started('tsflink-windows-failover-', () => FAILOVER_RESTARTS); }, 60_000);
afterAll(() => cluster.dispose());

describe('windows recover on a cluster (real processes, kill -9)', () => {
  it('tumbling, sliding (slicing) and session windows: exact output after a TaskManager is killed', async () => {
    const lines = await runKillingOneTaskManager(cluster, join(root, 'runtime/operators/windowing/fixtures/windows-job.ts'),
      (out, chk) => [out, String(N), '1500', `file://${chk}`, '200']);
    const want = windowsExpected(N);
    expect(lines.length).toBe(want.length);
    expect(lines.sort()).toEqual(want);
  }, 240_000);
});
