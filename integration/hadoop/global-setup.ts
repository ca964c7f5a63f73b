// Vitest global setup for the `integration` project: start the Hadoop minicluster once (or reuse a
// running one). Concurrent runs share it through leases; the last run out stops it if a test run
// started it (a cluster from `npm run hadoop:start` keeps running; TSFLINK_HADOOP_KEEP=1 keeps any).
// Tests read the addresses from integration/hadoop/.run/cluster.json (see integration/hdfs/cluster.ts).
import { releaseLease, startCluster } from './cluster.mjs';

export default async function setup(): Promise<() => Promise<void>> {
  await startCluster({ lease: true });
  return async () => {
    await releaseLease();
  };
}
