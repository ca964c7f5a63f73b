import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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
 * source at load time (runtime/network/Packr.ts), parquetjs-lite is CommonJS loaded with
 * createRequire, classic-level (the 'leveldb' state backend) is a native addon loaded from its
 * prebuilds, and esbuild is a client-side tool containers never load.
 */
const EXTERNAL = ['msgpackr', 'parquetjs-lite', 'esbuild', 'classic-level'];
const SHIPPED_PACKAGES = ['msgpackr', 'parquetjs-lite', 'classic-level'];

/**
 * Native sources and prebuilt binaries containers cannot use: classic-level's C++ sources (deps/,
 * binding.cc/.gyp) and its prebuilds for other operating systems (YARN NodeManagers run Linux;
 * every Linux architecture it ships stays).
 */
const NATIVE_EXCLUDED = /^\/(deps(\/|$)|binding\.(cc|gyp)$|prebuilds\/(android|darwin|win32)-)/;

/** Bump when the archive's layout changes, so old cached archives are not reused. */
const LAYOUT = 'bundled-3';

/** The web UI's static files (runtime/webmonitor), served by the AM's REST endpoint from this dist/ path. */
const WEB_ASSETS = 'dist/runtime/webmonitor/web';

/**
 * The tsflink runtime as one .tar.gz, shipped to every container as an ARCHIVE LocalResource — so
 * NodeManagers need no tsflink install (Flink ships its lib/ the same way). The code is bundled
 * with esbuild into a few dozen files: a NodeManager unpacks and sets permissions file by file
 * (Hadoop's FSDownload; without its native library each chmod is a forked process), and on the test
 * cluster the ~2,100 files of dist/ and node_modules/ took ~8 s on every NodeManager's first use of
 * a runtime version, the ~150 of the bundle a fraction of a second (bench B7, cold runs).
 * Built once per runtime version and cached locally; the name carries a content hash, so HDFS can
 * cache it too.
 */
export async function runtimeArchive(): Promise<{ path: string; name: string; files: number }> {
  const root = packageRoot();
  const dir = join(tmpdir(), 'tsflink-runtime-cache');
  // One index per installation: which archive its current inputs make, and which files those were.
  const indexFile = join(dir, `index-${createHash('sha256').update(`${LAYOUT}\n${root}`).digest('hex').slice(0, 16)}.json`);
  const cached = readIndex(indexFile);
  if (cached && existsSync(join(dir, cached.name)) && fingerprintOf(cached.inputs) === cached.fingerprint) {
    return { path: join(dir, cached.name), name: cached.name, files: cached.files };
  }
  mkdirSync(dir, { recursive: true });
  const stage = join(dir, `stage.${process.pid}.${Date.now()}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    const inputs = await stageRuntime(root, stage);
    const fingerprint = fingerprintOf(inputs);
    const name = `tsflink-runtime-${createHash('sha256').update(`${LAYOUT}\n${fingerprint}`).digest('hex').slice(0, 16)}.tar.gz`;
    const path = join(dir, name);
    const files = countEntries(stage);
    if (!existsSync(path)) {
      const tmp = `${path}.${process.pid}.tmp`;
      execFileSync('tar', ['-czf', tmp, '-C', stage, '.'], { stdio: ['ignore', 'ignore', 'pipe'] });
      renameSync(tmp, path);
    }
    const index: ArchiveIndex = { name, files, fingerprint, inputs };
    writeFileSync(`${indexFile}.${process.pid}.tmp`, JSON.stringify(index));
    renameSync(`${indexFile}.${process.pid}.tmp`, indexFile);
    return { path, name, files };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

interface ArchiveIndex { name: string; files: number; fingerprint: string; inputs: string[] }

function readIndex(file: string): ArchiveIndex | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ArchiveIndex;
    return typeof v.name === 'string' && Array.isArray(v.inputs) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Paths, sizes and mtimes of the files an archive was made from: cheap, and changes whenever one is rebuilt or upgraded. */
function fingerprintOf(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const f of inputs) {
    try {
      const st = statSync(f);
      hash.update(`${f}:${st.size}:${st.mtimeMs}\n`);
    } catch {
      hash.update(`${f}:missing\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * Lays out the runtime in `stage`: bundled dist/, config, protocol definitions, external packages.
 * Returns every file it was made from (absolute paths).
 */
async function stageRuntime(root: string, stage: string): Promise<string[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  mkdirSync(stage, { recursive: true });
  // Only what packageRoot() and module resolution need (type: module makes dist/*.js ESM).
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2)}\n`);
  const inputs = [join(root, 'package.json')];
  for (const d of ['conf', 'yarn-am/proto']) {
    if (!existsSync(join(root, d))) continue;
    cpSync(join(root, d), join(stage, d), { recursive: true });
    inputs.push(...filesUnder(join(root, d)));
  }
  if (existsSync(join(root, WEB_ASSETS))) {
    // Source maps stay home: the browser does not need them to run the UI.
    cpSync(join(root, WEB_ASSETS), join(stage, WEB_ASSETS), { recursive: true, filter: (src) => !src.endsWith('.map') });
    inputs.push(...filesUnder(join(root, WEB_ASSETS)).filter((f) => !f.endsWith('.map')));
  }
  const missing = ENTRY_POINTS.filter((e) => !existsSync(join(root, `${e}.js`)));
  if (missing.length > 0) throw new Error(`Cannot build the tsflink runtime archive: ${missing.map((m) => `${m}.js`).join(', ')} missing in ${root} (run npm run build)`);
  // Lazy: esbuild is a client-side tool, containers never load it.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: Object.fromEntries(ENTRY_POINTS.map((e) => [e, join(root, `${e}.js`)])),
    absWorkingDir: root,
    metafile: true,
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
  for (const f of Object.keys(result.metafile.inputs)) inputs.push(resolve(root, f));
  for (const { from, to } of dependencyLayout(root, SHIPPED_PACKAGES)) {
    const skip = (rel: string): boolean => EXCLUDED.test(rel) || NATIVE_EXCLUDED.test(rel);
    cpSync(from, join(stage, to), { recursive: true, dereference: true, filter: (src) => !skip(src.slice(from.length)) });
    inputs.push(...filesUnder(from).filter((f) => !skip(f.slice(from.length))));
  }
  return inputs;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Docs, types, sources, tests and build files of shipped packages: never loaded at run time. */
const EXCLUDED = /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.ts|\/(test|tests|__tests__|docs|example|examples|benchmark|\.github))$/i;

/**
 * Where the packages `names` and everything they depend on (dependencies and the installed optional
 * ones) are installed — resolved the way Node does, from the package that needs them upwards, so an
 * installed tsflink whose dependencies npm hoisted beside it works too — and where each goes in the
 * archive: node_modules/<name>, or nested under its dependent when two versions of a name are needed.
 */
function dependencyLayout(root: string, names: string[]): { from: string; to: string }[] {
  const placed = new Map<string, string>(); // archive path -> source dir
  const seen = new Map<string, string>(); // source dir -> archive path
  const visit = (name: string, fromDir: string, parentTo: string): void => {
    let dir = fromDir;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (seen.has(candidate)) return;
        const top = join('node_modules', name);
        const to = !placed.has(top) || placed.get(top) === candidate ? top : join(parentTo, 'node_modules', name);
        placed.set(to, candidate);
        seen.set(candidate, to);
        const pj = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
        for (const d of Object.keys(pj.dependencies ?? {})) visit(d, candidate, to);
        for (const d of Object.keys(pj.optionalDependencies ?? {})) {
          try {
            visit(d, candidate, to);
          } catch {
            // optional dependencies exist only on some platforms: ship the ones installed here
          }
        }
        return;
      }
      const parent = dirname(dir);
      if (parent === dir) throw new Error(`Cannot build the tsflink runtime archive: package '${name}' (needed by ${relative(root, fromDir) || 'tsflink'}) is not installed`);
      dir = parent;
    }
  };
  for (const n of names) visit(n, root, '');
  return [...seen].map(([from, to]) => ({ from, to })).sort((a, b) => a.to.localeCompare(b.to));
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
