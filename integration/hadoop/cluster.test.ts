// The test cluster itself: cluster.json, the generated conf dir, YARN sizing, the control channel.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../hdfs/index.js';
import { readClusterInfo } from './cluster.mjs';

const info = () => {
  const i = readClusterInfo();
  if (!i) throw new Error('integration/hadoop/.run/cluster.json missing');
  return i;
};

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('Hadoop test cluster', () => {
  it('records real 127.0.0.1 addresses for HDFS and YARN in cluster.json', () => {
    const c = info();
    expect(c.hadoopVersion).toMatch(/^3\./);
    expect(c.webhdfs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(c.namenode).toMatch(/^hdfs:\/\/127\.0\.0\.1:\d+$/);
    for (const a of [c.resourceManager, c.resourceManagerScheduler]) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(c.resourceManagerWeb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(c.datanodes).toHaveLength(2);
    expect(c.nodemanagers).toHaveLength(2);
    expect(() => process.kill(c.pid, 0)).not.toThrow();
  });

  it('writes core-site, hdfs-site and yarn-site with the bound addresses', () => {
    const c = info();
    for (const f of ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml']) expect(fs.existsSync(path.join(c.hadoopConfDir, f))).toBe(true);
    const h = HadoopConfiguration.load(c.hadoopConfDir);
    expect(h.get('fs.defaultFS')).toBe(c.namenode);
    expect(`http://${h.get('dfs.namenode.http-address')}`).toBe(c.webhdfs);
    expect(h.get('yarn.resourcemanager.address')).toBe(c.resourceManager);
    expect(h.get('yarn.resourcemanager.scheduler.address')).toBe(c.resourceManagerScheduler);
    expect(h.get('yarn.nodemanager.vmem-check-enabled')).toBe('false');
  });

  it('runs YARN with 2 healthy NodeManagers of 8 GB and a high AM share', async () => {
    const c = info();
    const m = await json<{ clusterMetrics: { activeNodes: number; totalMB: number; unhealthyNodes: number } }>(`${c.resourceManagerWeb}/ws/v1/cluster/metrics`);
    expect(m.clusterMetrics.activeNodes).toBe(2);
    expect(m.clusterMetrics.unhealthyNodes).toBe(0);
    expect(m.clusterMetrics.totalMB).toBe(2 * 8192);
    const s = await json<{ scheduler: { schedulerInfo: { queues: { queue: Array<{ queueName: string; configuredMaxAMResourceLimit?: number }> } } } }>(
      `${c.resourceManagerWeb}/ws/v1/cluster/scheduler`,
    );
    const dflt = s.scheduler.schedulerInfo.queues.queue.find((q) => q.queueName === 'default');
    expect(dflt?.configuredMaxAMResourceLimit).toBeCloseTo(0.8);
  });

  it('answers WebHDFS and the control channel', async () => {
    const c = info();
    const root = await json<{ FileStatus: { type: string } }>(`${c.webhdfs}/webhdfs/v1/?op=GETFILESTATUS&user.name=${c.superuser}`);
    expect(root.FileStatus.type).toBe('DIRECTORY');
    const status = await json<{ pid: number; namenodeRunning: boolean }>(`${c.control}/status`);
    expect(status).toMatchObject({ pid: c.pid, namenodeRunning: true });
    const bad = await fetch(`${c.control}/no-such-command`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/unknown command/);
  });
});
