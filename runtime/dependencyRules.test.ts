// The import rules of .dependency-cruiser.cjs: the product code obeys them, and each rule fails a
// deliberately wrong import in a throw-away tree laid out like the repository.
import { describe, expect, it, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const rules = join(repo, '.dependency-cruiser.cjs');
const depcruise = join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation { rule: { name: string }; from: string; to: string }

function cruise(cwd: string, dirs: string[]): Violation[] {
  const r = spawnSync(process.execPath, [depcruise, '-c', rules, '--output-type', 'json', ...dirs], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!r.stdout) throw new Error(`depcruise printed nothing (exit ${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[]; error: number } };
  return out.summary.violations;
}

const trees: string[] = [];
afterAll(() => { for (const t of trees) rmSync(t, { recursive: true, force: true }); });

/** A throw-away tree: { 'runtime/api/X.ts': 'source', ... }. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tsflink-deprules-'));
  trees.push(root);
  for (const [path, src] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), src);
  }
  return root;
}

const names = (vs: Violation[]) => vs.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

describe('dependency rules', () => {
  it('the product code has no violations and no circles', () => {
    expect(names(cruise(repo, ['runtime', 'cli', 'hdfs', 'yarn-am']))).toEqual([]);
  });

  it('runtime/api may not reach the cluster, statically or with import()', () => {
    const root = tree({
      'runtime/api/environment/Env.ts': "export async function run() { return import('../../minicluster/LocalExecutor.js'); }\n",
      'runtime/api/datastream/Stream.ts': "import type { JobMaster } from '../../jobmanager/JobMaster.js';\nexport type M = JobMaster;\n",
      'runtime/minicluster/LocalExecutor.ts': 'export const x = 1;\n',
      'runtime/jobmanager/JobMaster.ts': 'export interface JobMaster { id: string }\n',
    });
    expect(names(cruise(root, ['runtime']))).toEqual([
      'api-not-to-cluster: runtime/api/datastream/Stream.ts -> runtime/jobmanager/JobMaster.ts',
      'api-not-to-cluster: runtime/api/environment/Env.ts -> runtime/minicluster/LocalExecutor.ts',
    ]);
    // As `npm run lint:deps` runs it: a violation fails the command, naming the rule.
    const cli = spawnSync(process.execPath, [depcruise, '-c', rules, 'runtime'], { cwd: root, encoding: 'utf8' });
    expect(cli.status).not.toBe(0);
    expect(cli.stdout).toContain('error api-not-to-cluster: runtime/api/environment/Env.ts → runtime/minicluster/LocalExecutor.ts');
  });

  it('a type-only import circle is a circle', () => {
    const root = tree({
      'runtime/api/A.ts': "import type { B } from './B.js';\nexport interface A { b: B }\n",
      'runtime/api/B.ts': "import type { A } from './A.js';\nexport interface B { a: A }\n",
    });
    expect(names(cruise(root, ['runtime']))).toEqual([
      'no-circular: runtime/api/A.ts -> runtime/api/B.ts',
    ]);
  });

  it('the JobManager may not import client code; deployments reach the runtime only through its public modules', () => {
    const root = tree({
      'runtime/jobmanager/Dispatcher.ts': "import { bundleJob } from '../client/JobBundler.js';\nexport const b = bundleJob;\n",
      'runtime/client/JobBundler.ts': 'export const bundleJob = 1;\n',
      'runtime/configuration/index.ts': 'export const c = 1;\n',
      'runtime/taskmanager/Task.ts': "import { c } from '../configuration/index.js';\nexport const t = c;\n",
      'yarn-am/ApplicationMaster.ts': "import { c } from '../runtime/configuration/index.js';\nimport { t } from '../runtime/taskmanager/Task.js';\nexport const a = [c, t];\n",
      'hdfs/index.ts': "export { w } from './webhdfs/WebHdfsClient.js';\n",
      'hdfs/webhdfs/WebHdfsClient.ts': 'export const w = 1;\n',
      'runtime/state/Backend.ts': "import { w } from '../../hdfs/webhdfs/WebHdfsClient.js';\nimport { w as ok } from '../../hdfs/index.js';\nexport const s = [w, ok];\n",
      // Tests may import anything.
      'runtime/api/Env.test.ts': "import { t } from '../taskmanager/Task.js';\nexport const x = t;\n",
    });
    expect(names(cruise(root, ['runtime', 'yarn-am', 'hdfs']))).toEqual([
      'hdfs-only-through-index: runtime/state/Backend.ts -> hdfs/webhdfs/WebHdfsClient.ts',
      'jobmanager-not-to-client: runtime/jobmanager/Dispatcher.ts -> runtime/client/JobBundler.ts',
      'outside-runtime-only-public-modules: yarn-am/ApplicationMaster.ts -> runtime/taskmanager/Task.ts',
    ]);
  });
});
