// Job bundler: turns a user's job file into one self-contained ESM file (the "job bundle") that
// the CLI, the JobManager and every TaskManager slot evaluate to rebuild the same StreamGraph.
//
// - Relative imports are inlined; Node builtins stay external.
// - npm packages are inlined too (Flink's "fat jar"): the bundle runs on JobManagers and
//   TaskManagers that have none of the job's node_modules (other hosts, YARN containers).
//   Packages with native addons, and those named in 'pipeline.external-packages', stay external,
//   pinned to the absolute file:// URL they resolve to from the job's directory: they must be
//   installed at that path on every node (or shipped with yarn.ship-files).
// - `import … from 'tsflink'` is pinned to this runtime's own compiled root module, so the job
//   shares the module instance (StreamExecutionEnvironment context) of the process loading it.
// - Inline source maps let stack traces point at the user's job.ts lines.


import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Message, Plugin } from 'esbuild';
import { packageRoot } from '../configuration/packageRoot.js';
import { JobBundleError, tsflinkRuntimeEntry, tsflinkRuntimeUrl, type JobBundle } from '../usercode/JobBundle.js';

export const SUPPORTED_JOB_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'] as const;

/** Default bundle directory: per user, so bundles of different users never collide. */
function defaultOutDir(): string {
  let user = 'user';
  try {
    user = String(process.getuid?.() ?? process.env['USER'] ?? 'user');
  } catch {
    // no uid on this platform
  }
  return join(tmpdir(), 'tsflink-bundles', user);
}

function displayPath(p: string, cwd: string): string {
  const r = relative(cwd, p);
  return r && !r.startsWith('..') ? r : p;
}

function formatMessage(m: Message, cwd: string): string {
  const loc = m.location;
  if (!loc) return `error: ${m.text}`;
  const file = resolve(cwd, loc.file);
  let s = `${file}:${loc.line}:${loc.column + 1}: error: ${m.text}`;
  if (loc.lineText) s += `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^`;
  for (const n of m.notes) if (n.text) s += `\n    note: ${n.text}`;
  return s;
}

/** Appends the source map inline, with its sources made absolute so stack traces name the job's real files. */
function inlineSourceMap(code: string, mapText: string, outDir: string): Uint8Array {
  const map = JSON.parse(mapText) as { sources?: string[]; sourceRoot?: string };
  map.sources = (map.sources ?? []).map((src) => resolve(outDir, map.sourceRoot ?? '', src));
  delete map.sourceRoot;
  const encoded = Buffer.from(JSON.stringify(map), 'utf8').toString('base64');
  return Buffer.from(`${code.replace(/\n?$/, '\n')}//# sourceMappingURL=data:application/json;base64,${encoded}\n`, 'utf8');
}

/** The package name of a bare specifier: 'lodash/fp' → 'lodash', '@scope/pkg/x' → '@scope/pkg'. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Builders of native addons: a package depending on one of these loads a compiled .node file. */
const NATIVE_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'node-addon-api'];

/** Whether the package a module belongs to carries a native addon (which cannot be inlined). */
function isNativePackage(resolvedPath: string, name: string): boolean {
  if (resolvedPath.endsWith('.node')) return true;
  let dir = dirname(resolvedPath);
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        const p = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; gypfile?: boolean; binary?: unknown; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
        if (p.name === name) {
          const deps = { ...p.dependencies, ...p.optionalDependencies };
          return p.gypfile === true || p.binary !== undefined || existsSync(join(dir, 'binding.gyp')) || NATIVE_LOADERS.some((d) => d in deps);
        }
      } catch {
        // not a package manifest we can read: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function resolvePlugin(runtimeUrl: string, externalPackages: ReadonlySet<string>, keptExternal: Set<string>): Plugin {
  return {
    name: 'tsflink-externals',
    setup(b) {
      b.onResolve({ filter: /^tsflink$/ }, () => ({ path: runtimeUrl, external: true }));
      // Bare specifiers: builtins stay as they are; packages are inlined, or pinned to their
      // absolute URL when they cannot be (see the header comment).
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'tsflink-inner') return undefined;
        if (isBuiltin(args.path) || args.path.startsWith('node:')) return { path: args.path, external: true };
        if (/^[a-zA-Z][a-zA-Z+.-]*:/.test(args.path)) return { path: args.path, external: true }; // file:, data: URLs
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'tsflink-inner' });
        if (r.errors.length > 0 || !r.path) {
          return {
            errors: [{
              text: `Cannot find package '${args.path}'. Install it beside the job (npm install ${packageName(args.path)}) or fix the import.`,
            }],
          };
        }
        const name = packageName(args.path);
        if (externalPackages.has(name) || isNativePackage(r.path, name)) {
          keptExternal.add(name);
          return { path: pathToFileURL(r.path).href, external: true };
        }
        return { path: r.path, ...(r.sideEffects === false ? { sideEffects: false } : {}) };
      });
    },
  };
}

/**
 * Bundles `entryFile` (.ts, .mts, .mjs, .js) into one ESM file named by its hash.
 * `runtimeEntry` replaces tsflinkRuntimeEntry() as the target of `import 'tsflink'`;
 * `externalPackages` are npm packages to keep out of the bundle ('pipeline.external-packages').
 */
export async function bundleJob(entryFile: string, opts: { outDir?: string; runtimeEntry?: string; externalPackages?: readonly string[] } = {}): Promise<JobBundle> {
  const entry = resolve(entryFile);
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw new JobBundleError(
      'not-found',
      `Job file not found: ${entry}` + (entry !== entryFile ? ` (resolved from '${entryFile}' against ${process.cwd()})` : '') + '. Check the path of the job file.',
    );
  }
  const ext = extname(entry).toLowerCase();
  if (!(SUPPORTED_JOB_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new JobBundleError(
      'unsupported-extension',
      `Unsupported job file type '${ext || '(none)'}': ${entry}. A tsflink job is a TypeScript or JavaScript ES module (${SUPPORTED_JOB_EXTENSIONS.join(', ')}).`,
    );
  }

  const outDir = resolve(opts.outDir ?? defaultOutDir());
  mkdirSync(outDir, { recursive: true });
  // esbuild needs an output path for source-map paths; the final file is renamed by hash in the same dir.
  const provisional = join(outDir, 'bundle.mjs');
  const cwd = process.cwd();
  let code: Uint8Array;
  const keptExternal = new Set<string>();
  try {
    // Lazy: only clients bundle; JobManagers and TaskManagers (YARN containers) never load esbuild.
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: provisional,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // External map, inlined below with absolute source paths (the bundle may be moved or shipped).
      sourcemap: 'external',
      sourcesContent: true,
      logLevel: 'silent',
      absWorkingDir: cwd,
      // CommonJS modules bundled into ESM call require() (for builtins) and may use __dirname:
      // give them a require resolving from the job's location, and the bundle's own file and dir
      // (esbuild renames a job's own top-level bindings of these names).
      banner: {
        js: `import { createRequire as __tsflinkCreateRequire } from 'node:module';\nimport { fileURLToPath as __tsflinkFileURLToPath } from 'node:url';\n` +
          `const require = __tsflinkCreateRequire(${JSON.stringify(pathToFileURL(entry).href)});\n` +
          'const __filename = __tsflinkFileURLToPath(import.meta.url);\nconst __dirname = __filename.slice(0, __filename.lastIndexOf(\'/\'));',
      },
      plugins: [resolvePlugin(pathToFileURL(resolve(opts.runtimeEntry ?? tsflinkRuntimeEntry())).href, new Set(opts.externalPackages ?? []), keptExternal)],
    });
    const out = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (!out) throw new Error('esbuild produced no output');
    code = map ? inlineSourceMap(out.text, map.text, outDir) : out.contents;
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      throw new JobBundleError(
        'build-failed',
        `Cannot bundle job ${displayPath(entry, cwd)}:\n` + errors.map((m) => formatMessage(m, cwd)).join('\n') + '\nFix the error(s) above in the job source and run again.',
        { cause: e },
      );
    }
    throw new JobBundleError('build-failed', `Cannot bundle job ${entry}: ${(e as Error).message}`, { cause: e });
  }

  const hash = createHash('sha256').update(code).digest('hex');
  const path = join(outDir, `${hash}.mjs`);
  if (!existsSync(path)) {
    // Write-then-rename so a concurrent run never sees a half-written bundle.
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
  }
  return { entry, path, hash, ...(keptExternal.size > 0 ? { externalPackages: [...keptExternal].sort() } : {}) };
}

