import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../testing/ClusterProcesses.js';
import { keyOf, payloadOf } from './fixtures/batch-groupby.js';

// A BATCH group-by over input 10× the slot's heap, on a real TaskManager process (127.0.0.3, one slot,
// heap 128 MB, taskmanager.memory.process.size 512 MB): the job finishes with the exact sums, the
// sorter spilled, and the TaskManager's peak resident set (VmHWM of its process, all threads: main,
// slot worker, native buffers) stays within taskmanager.memory.process.size.
const root = resolve(import.meta.dirname, '../..');
const MB = 1024 * 1024;
const PROCESS_SIZE = 512 * MB;
const HEAP_MB = 128;
const CHARS = 1000;
// 1000-char payloads: ≥ 10 × 128 MB of records through the shuffle and the sorter.
const RECORDS = Math.ceil((10 * HEAP_MB * MB) / CHARS);
const KEYS = 5000;
let work: string;
let cluster: ClusterProcesses;

/** kB values of /proc/<pid>/status fields (Linux). */
const status = (pid: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(Vm\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-batch-memory-'));
  cluster = new ClusterProcesses(work, '127.0.0.2', ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=20 s',
    '-D', `taskmanager.memory.process.size=${PROCESS_SIZE / MB}m`, '-D', `taskmanager.memory.task.heap.size=${HEAP_MB}m`,
    '-D', `io.tmp.dirs=${join(work, 'tmp')}`]);
  await cluster.startJobManager(['-D', 'restart-strategy.type=none']);
  cluster.startTaskManager('127.0.0.3', 1);
  await cluster.waitForTaskManagers(1);
}, 60_000);

afterAll(async () => {
  await cluster.close();
  rmSync(work, { recursive: true, force: true });
});

describe('BATCH group-by over input 10× the slot heap (real processes)', () => {
  it('finishes with the exact sums, spills, and the TaskManager stays within taskmanager.memory.process.size', async () => {
    const tm = cluster.procs[cluster.procs.length - 1]!;
    const pid = tm.child.pid!;
    const before = status(pid);
    const out = join(work, 'out');
    let sawSpill = false;
    let maxRss = 0;
    const probe = setInterval(() => {
      try {
        maxRss = Math.max(maxRss, status(pid)['VmRSS'] ?? 0);
        if (!sawSpill) sawSpill = readdirSync(join(work, 'tmp'), { recursive: true }).some((f) => String(f).includes('tsflink-sort-'));
      } catch { /* the tmp dir is created by the first task */ }
    }, 50);
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-D', 'execution.batch.pre-aggregation.enabled=false',
      join(root, 'runtime/entrypoint/fixtures/batch-groupby.ts'), out, String(RECORDS), String(KEYS), String(CHARS)]);
    const code = await job.exited;
    clearInterval(probe);
    const peak = status(pid)['VmHWM']!;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);

    // key → "sum\tpayload of the key's first record"
    const sums = new Map<number, number>();
    const first = new Map<number, number>();
    for (let x = 0; x < RECORDS; x++) { const k = keyOf(x, KEYS); sums.set(k, (sums.get(k) ?? 0) + x); if (!first.has(k)) first.set(k, x); }
    const expected = new Map([...sums].map(([k, s]) => [k, `${s}\t${payloadOf(first.get(k)!, CHARS)}`]));
    const lines = readdirSync(out, { recursive: true }).map(String).filter((f) => !f.startsWith('.'))
      .flatMap((f) => { try { return readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean); } catch { return []; } });
    expect(lines).toHaveLength(KEYS);
    const got = new Map(lines.map((l) => { const tab = l.indexOf('\t'); return [Number(l.slice(0, tab)), l.slice(tab + 1)]; }));
    expect(got).toEqual(expected);
    expect(sawSpill).toBe(true);

    console.log(`TaskManager RSS: ${Math.round((before['VmRSS'] ?? 0) / MB)} MB idle, ${Math.round(maxRss / MB)} MB sampled max, ` +
      `${Math.round(peak / MB)} MB peak (VmHWM); ${Math.round(RECORDS * CHARS / MB)} MB of payload; process.size ${PROCESS_SIZE / MB} MB`);
    expect(peak).toBeLessThanOrEqual(PROCESS_SIZE);
    expect(maxRss).toBeGreaterThan(0);
    // No sort run or shuffle file left behind.
    expect(readdirSync(join(work, 'tmp'), { recursive: true }).filter((f) => String(f).startsWith('tsflink-sort-'))).toEqual([]);
  }, 900_000);
});
