// Test helpers for the minicluster: addresses and fault injection through its control channel.
// `runDir` selects a private cluster (see faults.test.ts); default is the shared one.
import path from 'node:path';
import { RUN_DIR, readClusterInfo, type ClusterInfo } from '../hadoop/cluster.mjs';

/** Run dir of the private HDFS-only cluster used by fault-injection tests, so they never disturb the shared one. */
export const FAULTS_RUN_DIR = path.join(RUN_DIR, 'faults');

export function cluster(runDir?: string): ClusterInfo {
  const info = readClusterInfo(runDir);
  if (!info) throw new Error(`${runDir ?? RUN_DIR}/cluster.json missing: run the integration project (its global setup starts the cluster) or npm run hadoop:start`);
  return info;
}

/** tsflink config pointing the hdfs layer at the minicluster. */
export function hdfsConf(extra: Record<string, unknown> = {}, runDir?: string): Record<string, unknown> {
  return { 'fs.hdfs.hadoopconf': cluster(runDir).hadoopConfDir, ...extra };
}

/** Sends a control command (stop-datanode/0, restart-namenode, …); resolves with the updated cluster info. */
export async function control(command: string, runDir?: string): Promise<ClusterInfo> {
  const res = await fetch(`${cluster(runDir).control}/${command}`, { method: 'POST' });
  const body = (await res.json()) as { ok: boolean; error?: string; cluster?: ClusterInfo };
  if (!res.ok || !body.ok) throw new Error(`control ${command} failed: ${body.error ?? res.status}`);
  return body.cluster!;
}
