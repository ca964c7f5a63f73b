// End-to-end tests of bin/run.js (needs the compiled dist/: `npm test` builds first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'cli', 'bin', 'run.js');

function tsflink(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'cli', 'commands', 'run.js'))) {
    // tsc exits non-zero while other modules are incomplete but still emits.
    spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { cwd: root });
  }
});

describe('tsflink CLI', () => {
  it('--help lists the commands', () => {
    const r = tsflink(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run\s+Run a job/);
    expect(r.stdout).toMatch(/info\s+Show the JobGraph/);
  });

  it('run --help shows the flags', () => {
    const r = tsflink(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-p, --parallelism');
    expect(r.stdout).toContain('-D, --dynamic');
    expect(r.stdout).toContain('--conf-dir');
  });

  it('a missing job file is a usage error (exit 2), even with job args that look like --help', () => {
    const r = tsflink(['run', 'does-not-exist.ts', '--help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Job file not found: ${join(root, 'does-not-exist.ts')}`);
    expect(r.stdout).not.toContain('USAGE');
  });

  it('a bad -D value names key, value, source and what is allowed (exit 2)', () => {
    const r = tsflink(['run', '-D', 'execution.runtime-mode=FAST', 'job.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid value 'FAST' for configuration key 'execution.runtime-mode' (set by -D execution.runtime-mode=FAST): expected one of STREAMING, BATCH, AUTOMATIC");
  });

  it('a malformed -D and an unknown flag are usage errors', () => {
    expect(tsflink(['run', '-D', 'novalue', 'job.ts']).stderr).toContain('expected -D key=value');
    const r = tsflink(['run', '--bogus', 'job.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });

  it('a missing job file argument is a usage error', () => {
    const r = tsflink(['info']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing job file');
  });

  it('--conf-dir must exist; a bad value in config.yaml names the file', () => {
    expect(tsflink(['run', '--conf-dir', '/nonexistent-conf', 'job.ts']).stderr).toContain('Configuration directory not found: /nonexistent-conf');
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-'));
    writeFileSync(join(dir, 'config.yaml'), 'rest:\n  port: abc\n');
    const r = tsflink(['run', 'job.ts'], { TSFLINK_CONF_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Invalid value 'abc' for configuration key 'rest.port' (set in ${join(dir, 'config.yaml')})`);
  });

  it('a job file with a syntax error reports file:line:col', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-'));
    writeFileSync(join(dir, 'job.ts'), 'export default async function main() {\n  let = 1;\n}\n');
    const r = tsflink(['run', join(dir, 'job.ts')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${join(dir, 'job.ts')}:2:\\d+: error`));
  });
});

// These need the lead's ProgramRunner (runtime/client/ProgramRunner.ts); skipped until it is built.
const hasRunner = existsSync(join(root, 'dist', 'runtime', 'client', 'ProgramRunner.js'));

describe.skipIf(!hasRunner)('tsflink run with the program runner', () => {
  it('passes job arguments through untouched and exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-'));
    writeFileSync(join(dir, 'job.ts'), 'export default async function main(args: string[]) { console.log("ARGS " + JSON.stringify(args)); }\n');
    const r = tsflink(['run', '-p', '2', join(dir, 'job.ts'), '--input', 'x', '-p', '3', '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ARGS ["--input","x","-p","3","--help"]');
  });

  it('a failing job exits 1 and prints the user stack pointing at job.ts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-'));
    writeFileSync(join(dir, 'job.ts'), 'export default async function main() {\n  throw new Error("user failure");\n}\n');
    const r = tsflink(['run', join(dir, 'job.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('user failure');
    expect(r.stderr).toContain(`${join(dir, 'job.ts')}:2:`);
  });

  it('a job without a default export is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-'));
    writeFileSync(join(dir, 'job.ts'), 'export const x = 1;\n');
    const r = tsflink(['run', join(dir, 'job.ts')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('export default async function main(args: string[])');
  });
});
