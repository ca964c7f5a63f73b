import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JobBundleError, loadJobMain, tsflinkRuntimeEntry } from '../usercode/JobBundle.js';
import { bundleJob } from './JobBundler.js';

function jobDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-job-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A job importing npm packages installed beside it: CommonJS (require of builtins, __dirname), ESM, and one with a native addon. */
function jobWithPackages(): string {
  return jobDir({
    'node_modules/cjs-pkg/package.json': '{"name":"cjs-pkg","version":"1.0.0","main":"index.js"}',
    'node_modules/cjs-pkg/index.js': "const path = require('path');\nexports.shout = (s) => s.toUpperCase() + path.sep + typeof __dirname;\n",
    'node_modules/esm-pkg/package.json': '{"name":"esm-pkg","version":"1.0.0","type":"module","exports":"./index.js"}',
    'node_modules/esm-pkg/index.js': 'export const triple = (x) => x * 3;\n',
    'node_modules/native-pkg/package.json': '{"name":"native-pkg","version":"1.0.0","main":"index.js","gypfile":true}',
    'node_modules/native-pkg/index.js': "exports.kind = 'native';\n",
    'job.ts': [
      "import { shout } from 'cjs-pkg';",
      "import { triple } from 'esm-pkg';",
      "import { kind } from 'native-pkg';",
      "import { createRequire } from 'node:module';",
      '// a job\'s own top-level require/__dirname must not clash with the bundle\'s',
      'const require = createRequire(import.meta.url);',
      'const __dirname = "job-dir";',
      'export default async function main(): Promise<string> { return [shout("a"), triple(2), kind, typeof require, __dirname].join(","); }',
    ].join('\n'),
  });
}

async function bundleError(p: Promise<unknown>): Promise<JobBundleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(JobBundleError);
    return e as JobBundleError;
  }
  throw new Error('expected a JobBundleError');
}

describe('bundleJob', () => {
  it('inlines npm packages (a fat bundle that runs without the job\'s node_modules); native addons stay pinned to their install path', async () => {
    const dir = jobWithPackages();
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out') });
    const code = readFileSync(b.path, 'utf8');
    expect(code).not.toContain(pathToFileURL(join(dir, 'node_modules', 'cjs-pkg')).href);
    expect(code).not.toContain(pathToFileURL(join(dir, 'node_modules', 'esm-pkg')).href);
    expect(code).toContain(pathToFileURL(join(dir, 'node_modules', 'native-pkg', 'index.js')).href);
    expect(b.externalPackages).toEqual(['native-pkg']);
    // the inlined packages are gone from disk (as on another host): the bundle still runs
    rmSync(join(dir, 'node_modules', 'cjs-pkg'), { recursive: true });
    rmSync(join(dir, 'node_modules', 'esm-pkg'), { recursive: true });
    const main = await loadJobMain(b);
    expect(await main([])).toBe('A/string,6,native,function,job-dir');
  });

  it("'pipeline.external-packages' keeps the named packages out of the bundle", async () => {
    const dir = jobWithPackages();
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out'), externalPackages: ['esm-pkg'] });
    expect(b.externalPackages).toEqual(['esm-pkg', 'native-pkg']);
    expect(readFileSync(b.path, 'utf8')).toContain(pathToFileURL(join(dir, 'node_modules', 'esm-pkg', 'index.js')).href);
    expect(await (await loadJobMain(b))([])).toBe('A/string,6,native,function,job-dir');
  });

  it('inlines relative modules and pins tsflink to the runtime entry', async () => {
    const dir = jobDir({
      'helper.ts': 'export function twice(x: number): number { return x * 2; }\n',
      'job.ts': [
        "import { StreamExecutionEnvironment } from 'tsflink';",
        "import { twice } from './helper.js';",
        "import { dirname, join } from 'node:path';",
        'export default async function main(args: string[]): Promise<void> {',
        '  const env: unknown = StreamExecutionEnvironment;',
        '  console.log(twice(args.length), env, join("a", "b"));',
        '}',
      ].join('\n'),
    });
    const outDir = join(dir, 'out');
    const b = await bundleJob(join(dir, 'job.ts'), { outDir });
    expect(b.entry).toBe(join(dir, 'job.ts'));
    expect(b.path).toBe(join(outDir, `${b.hash}.mjs`));
    expect(b.hash).toMatch(/^[0-9a-f]{64}$/);
    const code = readFileSync(b.path, 'utf8');
    expect(tsflinkRuntimeEntry()).toMatch(/dist[/\\]runtime[/\\]index\.js$/);
    expect(code).toContain(`from "${pathToFileURL(tsflinkRuntimeEntry()).href}"`);
    expect(code).not.toMatch(/from ["']tsflink["']/);
    expect(code).toContain('function twice(x)');
    expect(code).not.toContain('./helper');
    expect(code).toContain('from "node:path"');
    expect(code).toContain('//# sourceMappingURL=data:application/json;base64,');
    // Same input, same bundle.
    const again = await bundleJob(join(dir, 'job.ts'), { outDir });
    expect(again.hash).toBe(b.hash);
  });

  it('reports syntax errors with file:line:col', async () => {
    const dir = jobDir({ 'bad.ts': 'export default async function main() {\n  const x = ;\n}\n' });
    const e = await bundleError(bundleJob(join(dir, 'bad.ts'), { outDir: join(dir, 'out') }));
    expect(e.kind).toBe('build-failed');
    expect(e.message).toContain(`${join(dir, 'bad.ts')}:2:13: error:`);
    expect(e.message).toContain('const x = ;');
  });

  it('reports packages that are not installed', async () => {
    const dir = jobDir({ 'job.ts': "import x from 'no-such-package-tsflink';\nexport default async function main() { return x; }\n" });
    const e = await bundleError(bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out') }));
    expect(e.message).toContain("Cannot find package 'no-such-package-tsflink'");
    expect(e.message).toContain(`${join(dir, 'job.ts')}:1:15`);
  });

  it('reports a missing job file', async () => {
    const e = await bundleError(bundleJob('/nonexistent/dir/job.ts'));
    expect(e.kind).toBe('not-found');
    expect(e.message).toContain('Job file not found: /nonexistent/dir/job.ts');
  });

  it('rejects unsupported extensions', async () => {
    const dir = jobDir({ 'job.py': 'print(1)\n' });
    const e = await bundleError(bundleJob(join(dir, 'job.py')));
    expect(e.kind).toBe('unsupported-extension');
    expect(e.message).toMatch(/Unsupported job file type '\.py'.*\.ts, \.mts, \.mjs, \.js/);
  });
});

describe('loadJobMain', () => {
  it('returns the default export and maps stack traces to the job source', async () => {
    const dir = jobDir({
      'job.mts': [
        'export default async function main(args: string[]): Promise<string> {',
        '  if (args[0] === "fail") {',
        '    throw new Error("boom");',
        '  }',
        '  return args.join(",");',
        '}',
      ].join('\n'),
    });
    const b = await bundleJob(join(dir, 'job.mts'), { outDir: join(dir, 'out') });
    const main = await loadJobMain(b);
    expect(await main(['a', 'b'])).toBe('a,b');
    const err = await Promise.resolve(main(['fail'])).catch((e: unknown) => e);
    expect((err as Error).stack).toContain(`${join(dir, 'job.mts')}:3:`);
  });

  it('explains a missing default export', async () => {
    const dir = jobDir({ 'job.ts': 'export async function main() {}\n' });
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out') });
    const e = await bundleError(loadJobMain(b));
    expect(e.kind).toBe('no-main');
    expect(e.message).toContain('has no default export');
    expect(e.message).toContain('A tsflink job must `export default async function main(args: string[])`');
  });

  it('explains a default export that is not a function', async () => {
    const dir = jobDir({ 'job.js': 'export default { name: "x" };\n' });
    const b = await bundleJob(join(dir, 'job.js'), { outDir: join(dir, 'out') });
    const e = await bundleError(loadJobMain(b));
    expect(e.message).toContain('is a object, not a function');
  });

  it('refuses a bundle whose bytes changed', async () => {
    const dir = jobDir({ 'job.ts': 'export default function main() {}\n' });
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out') });
    const e = await bundleError(loadJobMain({ ...b, hash: '0'.repeat(64) }));
    expect(e.message).toContain('does not match its hash');
  });
});

describe('runtime entry override', () => {
  it('pins tsflink to opts.runtimeEntry', async () => {
    const dir = jobDir({ 'job.ts': "import { x } from 'tsflink';\nexport default function main() { return x; }\n" });
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out'), runtimeEntry: '/somewhere/runtime/index.ts' });
    expect(readFileSync(b.path, 'utf8')).toContain('from "file:///somewhere/runtime/index.ts"');
  });
});

describe('source map', () => {
  it('names the job sources by absolute path, so a moved bundle still maps to them', async () => {
    const dir = jobDir({ 'job.ts': 'export default function main(): never {\n  throw new Error("where");\n}\n' });
    const b = await bundleJob(join(dir, 'job.ts'), { outDir: join(dir, 'out') });
    const code = readFileSync(b.path, 'utf8');
    const b64 = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\n$/.exec(code)?.[1];
    const map = JSON.parse(Buffer.from(b64!, 'base64').toString('utf8')) as { sources: string[] };
    expect(map.sources).toEqual([join(dir, 'job.ts')]);
    const moved = join(mkdtempSync(join(tmpdir(), 'tsflink-moved-')), `${b.hash}.mjs`);
    writeFileSync(moved, code);
    const main = await loadJobMain({ ...b, path: moved });
    expect(() => main([])).toThrow('where');
    try {
      main([]);
    } catch (e) {
      expect((e as Error).stack).toContain(`${join(dir, 'job.ts')}:2:`);
    }
  });
});
