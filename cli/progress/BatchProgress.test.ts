// Progress of BATCH jobs in `tsflink run`: plain lines when stderr is not a terminal, bars when it is.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProgress, formatBytes, progressMode } from './BatchProgress.js';
import type { JobDetailsInfo, JobVertexDetailsInfo } from '../../runtime/rest/messages/JobDetailsInfo.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tsflink-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vertex(id: string, name: string, status: string, finished: number, parallelism: number, read: number): JobVertexDetailsInfo {
  return {
    id, name, parallelism, status, tasks: { FINISHED: finished }, maxParallelism: 128, 'start-time': 0, 'end-time': -1, duration: 0,
    metrics: { 'read-records': read, 'read-bytes': read * 10, 'write-records': 0, 'write-bytes': 0 },
  } as unknown as JobVertexDetailsInfo;
}
function details(state: string, vertices: JobVertexDetailsInfo[]): JobDetailsInfo {
  return { jid: 'j1', name: 'wc', state, 'job-type': 'BATCH', vertices } as unknown as JobDetailsInfo;
}

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) { super(); }
  columns = 120;
  override _write(chunk: Buffer, _enc: string, cb: () => void): void { this.text += chunk.toString('utf8'); cb(); }
}

const steps = [
  details('RUNNING', [vertex('a', 'Source -> Tokenizer', 'RUNNING', 0, 2, 0), vertex('b', 'Counter', 'CREATED', 0, 2, 0)]),
  details('RUNNING', [vertex('a', 'Source -> Tokenizer', 'RUNNING', 0, 2, 0), vertex('b', 'Counter', 'CREATED', 0, 2, 0)]),
  details('RUNNING', [vertex('a', 'Source -> Tokenizer', 'FINISHED', 2, 2, 0), vertex('b', 'Counter', 'RUNNING', 1, 2, 600)]),
  details('FINISHED', [vertex('a', 'Source -> Tokenizer', 'FINISHED', 2, 2, 0), vertex('b', 'Counter', 'FINISHED', 2, 2, 1200)]),
];

async function follow(out: Capture, mode: 'bars' | 'lines', intervalMs: number): Promise<number> {
  let calls = 0;
  const p = new BatchProgress({ jobId: 'j1', runtimeMode: 'BATCH', details: async () => steps[Math.min(calls++, steps.length - 1)]! }, mode, out, intervalMs);
  p.start();
  await new Promise((r) => setTimeout(r, intervalMs * 8));
  await p.stop();
  return calls;
}

describe('BatchProgress', () => {
  it('auto shows bars only on a terminal; always falls back to lines; never shows nothing', () => {
    expect(progressMode('auto', { isTTY: true })).toBe('bars');
    expect(progressMode('auto', { isTTY: false })).toBeNull();
    expect(progressMode('always', {})).toBe('lines');
    expect(progressMode('never', { isTTY: true })).toBeNull();
    expect([formatBytes(1000), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['1000 B', '1.5 KiB', '5.0 GiB']);
  });

  it('lines: one line per change, the stages running with their finished subtasks, stops at the terminal state', async () => {
    const out = new Capture(false);
    const calls = await follow(out, 'lines', 5);
    expect(calls).toBe(4); // no polling after FINISHED
    expect(out.text.split('\n').filter(Boolean)).toEqual([
      'Progress j1: RUNNING, 0/2 vertices finished, read 0 records (0 B), wrote 0 records (0 B); running: Source -> Tokenizer 0/2',
      'Progress j1: RUNNING, 1/2 vertices finished, read 600 records (5.9 KiB), wrote 0 records (0 B); running: Counter 1/2',
      'Progress j1: FINISHED, 2/2 vertices finished, read 1,200 records (12 KiB), wrote 0 records (0 B)',
    ]);
  });

  it('bars on a terminal: the job\'s vertices finished of all, a bar per running stage', async () => {
    const out = new Capture(true);
    await follow(out, 'bars', 150); // cli-progress redraws at most every 100 ms
    expect(out.text).toContain('Source -> Tokenizer');
    expect(out.text).toMatch(/Counter\s+█+░+ 1\/2 subtasks · read 600 rec/);
    expect(out.text).toMatch(/wc \(FINISHED\)\s+█+ 2\/2 vertices · read 1,200 rec 12 KiB/);
  });
});

describe('tsflink run --progress', () => {
  const words = Array.from({ length: 3000 }, (_, i) => `alpha beta w${i % 7}`).join('\n');
  const input = join(dir, 'words.txt');
  writeFileSync(input, `${words}\n`);
  const run = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [join(root, 'cli', 'bin', 'run.js'), 'run', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('always: plain progress lines on stderr (not a terminal) for a BATCH job, ending with every vertex finished and the records read', () => {
    const out = join(dir, 'out');
    const r = run(['-p', '2', '--progress', 'always', 'examples/wordcount.ts', input, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l).toMatch(/^Progress [0-9a-f]{32}: [A-Z]+, \d\/2 vertices finished, read [\d,]+ records \([\d.]+ [KMG]?i?B\), wrote [\d,]+ records/);
    // the combiners send one partial per word and producer (9 words, 2 producers) across the keyed exchange
    const last = /: FINISHED, 2\/2 vertices finished, read (\d+) records \(\d+ B\), wrote (\d+) records/.exec(lines.at(-1)!);
    expect(last, lines.at(-1)).not.toBeNull();
    expect(Number(last![1])).toBeGreaterThanOrEqual(9);
    expect(Number(last![1])).toBeLessThanOrEqual(18);
    expect(last![2]).toBe(last![1]);
    const counts = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(counts.sort()).toEqual(['alpha\t3000', 'beta\t3000', ...Array.from({ length: 7 }, (_, k) => `w${k}\t${k < 4 ? 429 : 428}`)].sort());
  }, 120_000);

  it('auto prints nothing when stderr is not a terminal', () => {
    const r = run(['-p', '1', 'examples/wordcount.ts', input, '--output', join(dir, 'out2')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  }, 120_000);
});
