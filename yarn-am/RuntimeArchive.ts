import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../runtime/configuration/index.js';

export { RUNTIME_RESOURCE_NAME } from './YarnConstants.js';

/**
 * What containers start or import by path; everything else is reached from these. Bundled entries
 * keep their dist/ paths, so the runtime's own path logic (packageRoot(), the TaskManager command,
 * the SlotWorker file, the 'tsflink' import of re-pinned job bundles) is the same as in an install.
 */
const ENTRY_POINTS = ['dist/yarn-am/main', 'dist/yarn-am/taskmanager', 'dist/runtime/index', 'dist/runtime/taskmanager/slot/SlotWorker'];

/**
 * Packages kept as files in node_modules rather than bundled: msgpackr is patched from its own
 * source at load time (runtime/network/msgpackr-packr.ts), parquetjs-lite is CommonJS loaded with
 * createRequire, and esbuild / classic-level are native and not used in containers.
 */
const EXTERNAL = ['msgpackr', 'parquetjs-lite', 'esbuild', 'classic-level'];
const SHIPPED_PACKAGES = ['msgpackr', 'parquetjs-lite'];

/** Bump when the archive's layout changes, so old cached archives are not reused. */
const LAYOUT = 'bundled-1';

/**
 * The tsflink runtime as one .tar.gz, shipped to every container as an ARCHIVE LocalResource — so
 * NodeManagers need no tsflink install (Flink ships its lib/ the same way). The code is bundled
 * with esbuild into a few dozen files: a NodeManager localizes an archive file by file (without
 * Hadoop's native library, one forked chmod per file), so the ~2,000 files of dist/ and
 * node_modules/ cost ~8 s on every NodeManager's first use of a runtime version, a bundle ~0.1 s.
 * Built once per runtime version and cached locally; the name carries a content hash, so HDFS can
 * cache it too.
 */
export async function runtimeArchive(): Promise<{ path: string; name: string; files: number }> {
  const root = packageRoot();
  const sources = ['package.json', 'dist', 'conf', 'yarn-am/proto'].filter((e) => existsSync(join(root, e)));
  const hash = createHash('sha256');
  hash.update(`${LAYOUT}\n`);
  hash.update(readFileSync(join(root, 'package.json')));
  for (const e of [...sources, ...productionDependencies(root)]) fingerprint(join(root, e), hash);
  const name = `tsflink-runtime-${hash.digest('hex').slice(0, 16)}.tar.gz`;
  const dir = join(tmpdir(), 'tsflink-runtime-cache');
  const path = join(dir, name);
  const countFile = `${path}.files`;
  if (!existsSync(path) || !existsSync(countFile)) {
    mkdirSync(dir, { recursive: true });
    const stage = join(dir, `${name}.${process.pid}.stage`);
    rmSync(stage, { recursive: true, force: true });
    try {
      await stageRuntime(root, stage);
      const tmp = `${path}.${process.pid}.tmp`;
      execFileSync('tar', ['-czf', tmp, '-C', stage, '.'], { stdio: ['ignore', 'ignore', 'pipe'] });
      writeFileSync(countFile, String(countEntries(stage)));
      renameSync(tmp, path);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  return { path, name, files: Number(readFileSync(countFile, 'utf8')) };
}

/** Lays out the runtime in `stage`: bundled dist/, config, protocol definitions, external packages. */
async function stageRuntime(root: string, stage: string): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  mkdirSync(stage, { recursive: true });
  // Only what packageRoot() and module resolution need (type: module makes dist/*.js ESM).
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2)}\n`);
  for (const d of ['conf', 'yarn-am/proto']) if (existsSync(join(root, d))) cpSync(join(root, d), join(stage, d), { recursive: true });
  const missing = ENTRY_POINTS.filter((e) => !existsSync(join(root, `${e}.js`)));
  if (missing.length > 0) throw new Error(`Cannot build the tsflink runtime archive: ${missing.map((m) => `${m}.js`).join(', ')} missing in ${root} (run npm run build)`);
  // Lazy: esbuild is a client-side tool, containers never load it.
  const { build } = await import('esbuild');
  await build({
    entryPoints: Object.fromEntries(ENTRY_POINTS.map((e) => [e, join(root, `${e}.js`)])),
    outdir: stage,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'dist/chunks/[name]-[hash]',
    // Class names show up in logs, errors and exception names (Flink-style); keep them.
    keepNames: true,
    external: EXTERNAL,
    logLevel: 'silent',
    // Bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __tsflinkCreateRequire } from 'node:module'; const require = __tsflinkCreateRequire(import.meta.url);" },
  });
  for (const p of dependencyClosure(root, SHIPPED_PACKAGES)) {
    cpSync(join(root, p), join(stage, p), { recursive: true, dereference: true, filter: (src) => !EXCLUDED.test(src.slice(join(root, p).length)) });
  }
}

/** Docs, types, sources, tests and build files of shipped packages: never loaded at run time. */
const EXCLUDED = /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.ts|\/(test|tests|__tests__|docs|example|examples|benchmark|\.github))$/i;

/**
 * node_modules directories of `names` and of everything they depend on (dependencies and the
 * installed optional ones), resolved the way Node does: nested node_modules first, then upwards.
 */
function dependencyClosure(root: string, names: string[]): string[] {
  const out = new Set<string>();
  const visit = (name: string, from: string): void => {
    let dir = from;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        const rel = relative(root, candidate);
        if (out.has(rel)) return;
        out.add(rel);
        const pj = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
        for (const d of Object.keys(pj.dependencies ?? {})) visit(d, candidate);
        for (const d of Object.keys(pj.optionalDependencies ?? {})) visitOptional(d, candidate);
        return;
      }
      if (dir === root || dirname(dir) === dir) throw new Error(`Cannot build the tsflink runtime archive: package '${name}' (needed by ${relative(root, from) || 'tsflink'}) is not installed`);
      dir = dirname(dir);
    }
  };
  // Optional dependencies exist only on some platforms; ship the ones installed here.
  const visitOptional = (name: string, from: string): void => {
    try {
      visit(name, from);
    } catch {
      // not installed on this platform
    }
  };
  for (const n of names) visit(n, root);
  return [...out].sort();
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

/** Files and directories in a tree: what a NodeManager creates (and chmods) when it unpacks it. */
function countEntries(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n++;
    if (e.isDirectory()) n += countEntries(join(dir, e.name));
  }
  return n;
}
