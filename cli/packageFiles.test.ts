// What `npm pack` / `npm publish` ship: everything the CLI, the runtime, the slot workers, the web UI
// and the YARN client need at run time (dist/ is git-ignored, so without package.json "files" npm
// would leave it out), and no tests or benchmarks.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { packageRoot } from '../runtime/configuration/index.js';

describe('npm package contents', () => {
  it('ships dist/, the bin script, conf/, the YARN protos and the web UI; not tests, fixtures or benches', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot(), encoding: 'utf8' });
    const files = new Set((JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    for (const f of ['package.json', 'README.md', 'cli/bin/run.js', 'conf/config.yaml', 'dist/runtime/index.js', 'dist/runtime/index.d.ts',
      'dist/cli/commands/run.js', 'dist/runtime/taskmanager/slot/SlotWorker.js', 'dist/yarn-am/ApplicationMaster.js',
      'yarn-am/proto/yarn.proto', 'dist/runtime/webmonitor/web/index.html', 'dist/runtime/webmonitor/web/app.js', 'docs/getting-started.md']) {
      expect(files, f).toContain(f);
    }
    const unwanted = [...files].filter((f) => /\.test\.(js|d\.ts|js\.map)$/.test(f) || f.includes('/fixtures/') || f.startsWith('dist/bench/'));
    expect(unwanted).toEqual([]);
  });
});
