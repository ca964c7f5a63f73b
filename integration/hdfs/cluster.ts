// Test helpers for the running minicluster: addresses and fault injection through its control channel.
import { readClusterInfo, type ClusterInfo } from '../hadoop/cluster.mjs';

export function cluster(): ClusterInfo {
  const info = readClusterInfo();
  if (!info) throw new Error('integration/hadoop/.run/cluster.json missing: run the integration project (its global setup starts the cluster) or npm run hadoop:start');
  return info;
}

/** tsflink config pointing the hdfs layer at the minicluster. */
export function hdfsConf(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'fs.hdfs.hadoopconf': cluster().hadoopConfDir, ...extra };
}

/** Sends a control command (stop-datanode/0, restart-namenode, …); resolves with the updated cluster info. */
export async function control(command: string): Promise<ClusterInfo> {
  const res = await fetch(`${cluster().control}/${command}`, { method: 'POST' });
  const body = (await res.json()) as { ok: boolean; error?: string; cluster?: ClusterInfo };
  if (!res.ok || !body.ok) throw new Error(`control ${command} failed: ${body.error ?? res.status}`);
  return body.cluster!;
}
