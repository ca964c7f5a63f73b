import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../runtime/configuration/index.js';

/** LocalResource name of the shipped runtime: containers find it unpacked in ./tsflink/. */
export const RUNTIME_RESOURCE_NAME = 'tsflink';

/**
 * The tsflink runtime as one .tar.gz (compiled code, config, protocol definitions and the
 * production dependencies), shipped to every container as an ARCHIVE LocalResource — so
 * NodeManagers need no tsflink install (Flink ships its lib/ the same way). Built once per
 * runtime version and cached locally; the name carries a content hash, so HDFS can cache it too.
 */
export function runtimeArchive(): { path: string; name: string } {
  const root = packageRoot();
  const entries = ['package.json', 'dist', 'conf', 'yarn-am/proto', 'cli/bin'].filter((e) => existsSync(join(root, e)));
  const deps = productionDependencies(root);
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'package.json')));
  for (const e of [...entries, ...deps]) fingerprint(join(root, e), hash);
  const name = `tsflink-runtime-${hash.digest('hex').slice(0, 16)}.tar.gz`;
  const dir = join(tmpdir(), 'tsflink-runtime-cache');
  const path = join(dir, name);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    // Only what runs: YARN unpacks archives file by file, and every file costs localization time.
    const excludes = ['*.d.ts', '*.d.mts', '*.d.cts', '*.map', '*.md', '*.markdown', '*.ts', 'test', 'tests', '__tests__', 'docs', 'example', 'examples', '.github']
      .map((p) => `--exclude=${p}`);
    execFileSync('tar', ['-czf', tmp, ...excludes, '-C', root, ...entries, ...deps], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(tmp, path);
  }
  return { path, name };
}

/** node_modules directories of the production dependency tree (what `npm ls --omit=dev` lists). */
function productionDependencies(root: string): string[] {
  let out: string;
  try {
    out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    // npm ls exits non-zero on extraneous packages but still prints the tree.
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const dirs = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(join(root, 'node_modules')));
  if (dirs.length === 0) throw new Error(`Cannot list tsflink's production dependencies in ${root} (npm ls --omit=dev): is it installed?`);
  return [...new Set(dirs.map((d) => relative(root, d)))].sort();
}

/** Sizes and mtimes of a tree: cheap, and changes whenever a file is rebuilt or upgraded. */
function fingerprint(path: string, hash: ReturnType<typeof createHash>): void {
  const st = statSync(path);
  hash.update(`${path}:${st.size}:${st.mtimeMs}\n`);
  if (st.isDirectory()) for (const e of readdirSync(path).sort()) fingerprint(join(path, e), hash);
}
