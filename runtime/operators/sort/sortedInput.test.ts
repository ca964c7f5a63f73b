// BATCH keyed input beyond its memory budget: sorted runs spilled to io.tmp.dirs and merged by key
// (Flink's SortingDataInputTest / LargeSortingDataInputITCase, scaled down).
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from 'tsflink';
import { KeyGroupedInputBuffer } from '../../taskmanager/KeyGroupedInputBuffer.js';
import type { OneInputStreamOperator, TwoInputStreamOperator } from '../StreamOperator.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'tsflink-sort-test-')); dirs.push(d); return d; };

/** Deterministic pseudo-random numbers (xorshift). */
function rng(seed: number): () => number {
  let x = seed;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32; };
}

interface Rec { k: string; i: number }

describe('KeyGroupedInputBuffer with spilling', () => {
  it('random input over many runs: each key once, all of its records in arrival order, nothing lost, spill files gone', async () => {
    const dir = tmp();
    let bytes = 0;
    const buf = new KeyGroupedInputBuffer([(v) => (v as Rec).k], { tmpDirs: [dir], memoryBytes: 20_000, bytesRead: () => bytes, owner: 'Reduce (1/1)' });
    const r = rng(42);
    const sent: Rec[] = [];
    for (let b = 0; b < 200; b++) {
      const batch: Rec[] = [];
      for (let j = 0; j < 100; j++) { const rec = { k: `key-${Math.floor(r() * 700)}`, i: sent.length }; sent.push(rec); batch.push(rec); }
      bytes += 1500; // about what the batch took on the wire
      buf.add(1, batch, batch.map((x) => x.i * 10));
    }
    expect(buf.numSpilledRuns).toBeGreaterThan(5);
    expect(readdirSync(dir).filter((d) => d.startsWith('tsflink-sort-'))).toHaveLength(1);
    const groups: Array<{ key: string; recs: Rec[]; ts: Array<number | undefined> }> = [];
    let current: { key: string; recs: Rec[]; ts: Array<number | undefined> } | null = null;
    const one = { processElement: (v: Rec, ts: number | undefined) => {
      if (!current) { current = { key: v.k, recs: [], ts: [] }; groups.push(current); }
      expect(v.k).toBe(current.key);
      current.recs.push(v); current.ts.push(ts);
    } } as unknown as OneInputStreamOperator<unknown>;
    await buf.replay(one, {} as TwoInputStreamOperator<unknown, unknown>, false, () => { current = null; }, async () => {}, () => {});
    const keys = groups.map((g) => g.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Canonical key bytes of a string: tag, length, UTF-8; so shorter keys first, then byte order.
    expect(keys).toEqual([...keys].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)));
    for (const g of groups) {
      expect(g.recs.map((x) => x.i)).toEqual(sent.filter((x) => x.k === g.key).map((x) => x.i));
      expect(g.ts).toEqual(g.recs.map((x) => x.i * 10));
    }
    expect(groups.reduce((n, g) => n + g.recs.length, 0)).toBe(sent.length);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two keyed inputs: all records of a key from both inputs before the next key', async () => {
    let bytes = 0;
    const dir = tmp();
    const buf = new KeyGroupedInputBuffer([(v) => (v as [number, string])[0], (v) => (v as [number, string])[0]], { tmpDirs: [dir], memoryBytes: 100, bytesRead: () => bytes, owner: 'Join (1/1)' });
    for (let i = 0; i < 50; i++) { bytes += 60; buf.add(1 + (i % 2), [[i % 5, `r${i}`]], null); }
    expect(buf.numSpilledRuns).toBeGreaterThan(3);
    const seen: string[] = [];
    const two = {
      processElement1: (v: [number, string]) => seen.push(`${v[0]}:1:${v[1]}`),
      processElement2: (v: [number, string]) => seen.push(`${v[0]}:2:${v[1]}`),
    } as unknown as TwoInputStreamOperator<unknown, unknown>;
    await buf.replay({} as OneInputStreamOperator<unknown>, two, true, () => seen.push('|'), async () => {}, () => {});
    const perKey = seen.join(' ').split(' | ').map((s) => s.replace(/ \|$/, '').split(' '));
    expect(perKey).toHaveLength(5);
    for (const g of perKey) {
      const k = g[0]!.split(':')[0];
      expect(g.every((x) => x.startsWith(`${k}:`))).toBe(true);
      const inputs = g.map((x) => x.split(':')[1]);
      expect(inputs).toEqual([...inputs].sort()); // input 1 before input 2 within the key
      expect(g).toHaveLength(10);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('dispose() removes the spill files of an input that never replayed (task failed or cancelled)', () => {
    const dir = tmp();
    let bytes = 0;
    const buf = new KeyGroupedInputBuffer([(v) => v], { tmpDirs: [dir], memoryBytes: 10, bytesRead: () => bytes, owner: 'Reduce (1/1)' });
    bytes = 100;
    buf.add(1, [1, 2, 3], null);
    expect(readdirSync(dir)).toHaveLength(1);
    buf.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('BATCH group-by over input many times execution.sorted-inputs.memory', () => {
  // without the combiner: every record reaches the sorter
  it('sums per key exactly, one final value per key, and leaves no spill file', async () => {
    const dir = tmp();
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'io.tmp.dirs': dir, 'execution.sorted-inputs.memory': '16 kb', 'execution.batch.pre-aggregation.enabled': 'false' });
    env.setRuntimeMode('BATCH');
    const n = 30_000;
    let sawSpill = false;
    const probe = setInterval(() => { if (readdirSync(dir).some((d) => d.startsWith('tsflink-sort-'))) sawSpill = true; }, 1);
    const out = await env.fromSequence(0, n - 1).map((x): [number, number] => [(x * 7919) % 1000, x]).keyBy((t) => t[0]).sum(1).executeAndCollect();
    const expected = new Map<number, number>();
    for (let x = 0; x < n; x++) expected.set((x * 7919) % 1000, (expected.get((x * 7919) % 1000) ?? 0) + x);
    clearInterval(probe);
    expect(sawSpill).toBe(true);
    expect(out).toHaveLength(1000);
    expect(new Map(out as Array<[number, number]>)).toEqual(expected);
    expect(readdirSync(dir).filter((d) => d.startsWith('tsflink-sort-'))).toEqual([]);
  });
});

describe('execution.sorted-inputs.memory counts what the records take in the heap', () => {
  // A child process with a 48 MB heap gathers 600k small records (≈75 MB as objects, 6 MB serialized) under a
  // 4 MB budget: counting serialized bytes alone held them all at once and ran out of heap.
  it('input far above the budget spills and finishes within a small heap, every record once, per key in order', async () => {
    const dir = tmp();
    const { build } = await import('esbuild');
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const src = fileURLToPath(new URL('../../taskmanager/KeyGroupedInputBuffer.ts', import.meta.url));
    writeFileSync(join(dir, 'main.ts'), `
      import { KeyGroupedInputBuffer } from ${JSON.stringify(src)};
      const N = 600_000, K = 30_000;
      let bytes = 0;
      const buf = new KeyGroupedInputBuffer([(v) => (v as [string, number])[0]], { tmpDirs: [process.argv[2]!], memoryBytes: 4 << 20, bytesRead: () => bytes, owner: 'Heap test (1/1)' });
      for (let b = 0; b < N / 500; b++) {
        const batch: Array<[string, number]> = [];
        for (let i = 0; i < 500; i++) { const n = b * 500 + i; const k = 'k' + ((n * 7919) % K).toString(36); batch.push([k, n]); bytes += k.length + 7; }
        buf.add(1, batch, null);
      }
      const runs = buf.numSpilledRuns;
      let keys = 0, count = 0, sum = 0, bad = 0, cur: string | null = null, last = -1;
      const one = { processElement: (v: [string, number]) => {
        if (cur === null) cur = v[0]; else if (v[0] !== cur || v[1] <= last) bad++;
        last = v[1]; count++; sum += v[1];
      } };
      await buf.replay(one as never, {} as never, false, () => { keys++; cur = null; last = -1; }, async () => {}, () => {});
      console.log(JSON.stringify({ keys, count, sum, bad, runs }));
    `);
    await build({ entryPoints: [join(dir, 'main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'main.mjs'), logLevel: 'silent' });
    const spill = join(dir, 'spill');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(spill);
    const out = execFileSync(process.execPath, ['--max-old-space-size=48', join(dir, 'main.mjs'), spill], { encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { keys: number; count: number; sum: number; bad: number; runs: number };
    expect(r).toMatchObject({ keys: 30_000, count: 600_000, sum: (600_000 * 599_999) / 2, bad: 0 });
    expect(r.runs).toBeGreaterThan(5);
    expect(readdirSync(spill)).toEqual([]);
  }, 180_000);
});
