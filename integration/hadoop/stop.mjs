#!/usr/bin/env node
// npm run hadoop:stop — stop the Hadoop test cluster started by hadoop:start.
import { stopCluster } from './cluster.mjs';

try {
  const stopped = await stopCluster();
  process.stdout.write(stopped ? 'stopped Hadoop test cluster\n' : 'no Hadoop test cluster running\n');
} catch (e) {
  process.stderr.write(`hadoop:stop failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
