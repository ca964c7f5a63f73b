// npm run bench: every benchmark in its own process (clean heap, no JIT cross-talk), in order.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../runtime/configuration/index.js';

const benches = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [
  'b1-chained-pipeline.js', 'b2-keyed-scaling.js', 'network-messageport.js', 'b4-distributed-shuffle.js', 'network-tcp.js', 'hdfs-throughput.js', 'b7-yarn-startup.js', 'b8-checkpointing.js',
];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  // Every bench records its result in bench/RESULTS.md (the network benches only when asked to).
  const record = b === 'network-messageport.js' ? ['--append'] : b === 'network-tcp.js' ? ['--write'] : [];
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'bench', b), ...record], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`${b} exited with ${r.status}`); }
}
process.exit(failed > 0 ? 1 : 0);
