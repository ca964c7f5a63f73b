#!/usr/bin/env node
// npm run hadoop:start — start the Hadoop test cluster in the background (or reuse a running one).
import { startCluster, CLUSTER_JSON } from './cluster.mjs';

try {
  const { info, started } = await startCluster();
  process.stdout.write(`${started ? 'started' : 'reused'} Hadoop test cluster pid ${info.pid}; details in ${CLUSTER_JSON}\n`);
  process.stdout.write(`  webhdfs ${info.webhdfs}  namenode ${info.namenode}  RM ${info.resourceManager}  HADOOP_CONF_DIR=${info.hadoopConfDir}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`hadoop:start failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
