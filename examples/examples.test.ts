import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

// These run the real CLI: the embedded MiniCluster with worker-thread slots, jobs shipped as bundles.
const root = resolve(import.meta.dirname, '..');
const cli = (args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'cli/bin/run.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let dir: string;
let textFile: string;
const expected = new Map<string, number>();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-ex-'));
  textFile = join(dir, 'input.txt');
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const ws = [words[i % 8], words[(i * 7) % 8], words[(i * i) % 8]];
    for (const w of ws) expected.set(w, (expected.get(w) ?? 0) + 1);
    lines.push(ws.join(' '));
  }
  writeFileSync(textFile, lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parseCounts = (stdout: string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [w, n] = JSON.parse(line.replace(/^\d+> /, '')) as [string, number];
    expect(m.has(w)).toBe(false); // BATCH: one final count per word
    m.set(w, n);
  }
  return m;
};

describe('examples through `tsflink run` (worker-thread slots)', () => {
  it('wordcount.ts prints correct counts (BATCH), at parallelism 4', () => {
    const r = cli(['run', '-p', '4', 'examples/wordcount.ts', textFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parseCounts(r.stdout)).toEqual(expected);
    expect(r.stdout).toMatch(/^[1-4]> /m);
  });

  it('wordcount.ts writes counts with FileSink', () => {
    const out = join(dir, 'counts');
    const r = cli(['run', '-p', '2', 'examples/wordcount.ts', textFile, '--output', out]);
    expect(r.code).toBe(0);
    const files = readdirSync(out);
    expect(files.every((f) => /^part-[01]-\d+$/.test(f))).toBe(true);
    const got = new Map(files.flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => {
      const [w, n] = l.split('\t');
      return [w, Number(n)] as [string, number];
    }));
    expect(got).toEqual(expected);
  });

  it('streaming-wordcount.ts emits running counts that end at the totals', () => {
    const r = cli(['run', '-p', '2', 'examples/streaming-wordcount.ts', '--count', '400', '--rate', '0']);
    expect(r.code).toBe(0);
    const updates = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l.replace(/^\d+> /, '')) as { word: string; count: number });
    const max = new Map<string, number>();
    for (const u of updates) max.set(u.word, Math.max(max.get(u.word) ?? 0, u.count));
    expect(max.get('to')).toBe(400); // twice in sentence 0, once in 1 and 3: 4 per cycle of 4 sentences
    expect(max.get('question')).toBe(100);
  });

  it('windowed-wordcount.ts counts words per 1 s event-time window, the same in STREAMING and BATCH', () => {
    const sentences = ['to be or not to be that is the question', 'whether tis nobler in the mind to suffer',
      'the slings and arrows of outrageous fortune', 'or to take arms against a sea of troubles'];
    const want = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const w of sentences[i % 4]!.split(' ')) { const k = `${Math.floor(i / 10) * 1000} ${w}`; want.set(k, (want.get(k) ?? 0) + 1); }
    for (const mode of ['STREAMING', 'BATCH']) {
      const r = cli(['run', '-p', '2', 'examples/windowed-wordcount.ts', '--count', '400', '--mode', mode]);
      expect(r.code, r.stderr).toBe(0);
      const got = new Map<string, number>();
      for (const l of r.stdout.split('\n').filter(Boolean)) {
        const c = JSON.parse(l.replace(/^\d+> /, '')) as { windowStart: number; windowEnd: number; word: string; count: number };
        expect(c.windowEnd - c.windowStart).toBe(1000);
        const k = `${c.windowStart} ${c.word}`;
        expect(got.has(k)).toBe(false); // one result per word and window
        got.set(k, c.count);
      }
      expect(got).toEqual(want);
    }
  });

  it('window-join.ts: window coGroup counts named from broadcast state, and interval-join attribution, the same in STREAMING and BATCH', () => {
    const count = 600;
    const campaign = ['spring', 'summer', 'autumn', 'winter', 'evergreen'];
    const want: string[] = [];
    const windows = new Map<string, { ad: number; windowEnd: number; impressions: number; clicks: number }>();
    const bump = (ad: number, ts: number, what: 'impressions' | 'clicks'): void => {
      const windowEnd = Math.floor(ts / 10_000) * 10_000 + 10_000;
      const k = `${ad} ${windowEnd}`;
      const w = windows.get(k) ?? windows.set(k, { ad, windowEnd, impressions: 0, clicks: 0 }).get(k)!;
      w[what]++;
    };
    for (let i = 0; i < count; i++) bump(i % 5, i * 100, 'impressions');
    for (let j = 0; j < Math.ceil(count / 3); j++) {
      bump((j * 3) % 5, j * 300 + 250, 'clicks');
      want.push(JSON.stringify({ kind: 'attributed', ad: (j * 3) % 5, impressionTs: j * 300, clickTs: j * 300 + 250, at: j * 300 + 250 }));
    }
    for (const w of windows.values()) want.push(JSON.stringify({ kind: 'window', campaign: campaign[w.ad], ...w }));
    want.sort();
    for (const mode of ['STREAMING', 'BATCH']) {
      const r = cli(['run', '-p', '2', 'examples/window-join.ts', '--count', String(count), '--mode', mode]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\d+> /, '')).sort()).toEqual(want);
    }
  });

  it('checkpointed-wordcount.ts commits every running count exactly once through checkpoints', () => {
    const out = join(dir, 'cp-wc');
    const r = cli(['run', '-p', '2', join(root, 'examples/checkpointed-wordcount.ts'), '--out', out, '--checkpoints', `file://${join(dir, 'cp-chk')}`, '--count', '4000', '--rate', '8000', '--interval', '100']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const byWord = new Map<string, number[]>();
    for (const f of readdirSync(out).filter((f) => !f.startsWith('.'))) {
      for (const l of readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)) {
        const [w, n] = l.split(' ');
        (byWord.get(w!) ?? byWord.set(w!, []).get(w!)!).push(Number(n));
      }
    }
    // 1000 of each of the 4 sentences: 'to' occurs 2+1+0+1 = 4 times per 4 sentences → 4000 times.
    expect(byWord.get('to')!.sort((a, b) => a - b)).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    expect(byWord.get('question')!.length).toBe(1000);
  });

  it('top-n.ts reports the top items per category (BATCH: final, deterministic)', () => {
    const a = cli(['run', '-D', 'execution.runtime-mode=BATCH', '-p', '2', 'examples/top-n.ts', '--events', '20000']);
    expect(a.code).toBe(0);
    const lines = a.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\d+> /, '')).sort();
    expect(lines.length).toBe(4);
    for (const l of lines) expect(l).toMatch(/^(books|films|games|music): \w+-\d=\d+, \w+-\d=\d+, \w+-\d=\d+$/);
    const total = lines.reduce((s, l) => s + [...l.matchAll(/=(\d+)/g)].reduce((x, m) => x + Number(m[1]), 0), 0);
    expect(total).toBeGreaterThan(10_000);
    const b = cli(['run', '-D', 'execution.runtime-mode=BATCH', '-p', '3', 'examples/top-n.ts', '--events', '20000']);
    expect(b.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\d+> /, '')).sort()).toEqual(lines);
  });
});

describe('same job, same results: in-thread parallelism 4 vs worker-thread slots parallelism 4', () => {
  it('wordcount', async () => {
    const conf = join(dir, 'conf-p4');
    (await import('node:fs')).mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'config.yaml'), 'parallelism:\n  default: 4\n');
    const worker = cli(['run', 'examples/wordcount.ts', textFile], { TSFLINK_CONF_DIR: conf });
    expect(worker.code).toBe(0);

    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { lines.push(...String(s).split('\n').filter(Boolean)); return true; });
    process.env['TSFLINK_CONF_DIR'] = conf;
    try {
      const job = (await import('./wordcount.ts')) as { default: (args: string[]) => Promise<void> };
      await job.default([textFile]);
    } finally {
      delete process.env['TSFLINK_CONF_DIR'];
      spy.mockRestore();
    }
    // Same key groups in every process: identical lines including the subtask prefixes.
    expect(lines.sort()).toEqual(worker.stdout.split('\n').filter(Boolean).sort());
    expect(lines.some((l) => l.startsWith('4> '))).toBe(true);
  });
});

describe('CLI failure reporting', () => {
  it('a failing job exits non-zero with the user message, stack, operator and subtask on stderr', () => {
    const r = cli(['run', 'cli/fixtures/failing-job.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RangeError: record 777 is out of range/);
    expect(r.stderr).toMatch(/Validator \([12]\/2\)/);
    expect(r.stderr).toMatch(/failing-job\.ts:\d+/); // the user's stack, mapped to the job file
  });

  it('a job whose graph differs when rebuilt in a slot fails with an error that says so', () => {
    const r = cli(['run', 'cli/fixtures/nondeterministic-job.ts']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/job graph rebuilt in slot \d+ differs from the submitted one/);
  });

  it('a task that exhausts its slot heap fails the job with an out-of-memory error; the process survives to report it', () => {
    const r = cli(['run', '-D', 'taskmanager.memory.task.heap.size=128m', '-D', 'restart-strategy.type=none', 'cli/fixtures/oom-job.ts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ran out of memory \(heap limit 128 MB\)/);
    expect(r.stderr).toMatch(/taskmanager\.memory\.task\.heap\.size/);
  });

  it('parquet-etl.ts: JSON Lines orders → revenue per customer and day in Parquet, malformed orders to the rejects side output', async () => {
    const orders = join(dir, 'orders.jsonl');
    const expectedRevenue = new Map<string, { orders: number; revenue: number }>();
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const o = { id: i, customer: `c-${i % 7}`, amount: (i % 50) + 0.25, ts: `2026-11-0${1 + (i % 3)}T${String(i % 24).padStart(2, '0')}:00:00Z` };
      lines.push(JSON.stringify(o));
      const k = `${o.customer}|${o.ts.slice(0, 10)}`;
      const e = expectedRevenue.get(k) ?? { orders: 0, revenue: 0 };
      expectedRevenue.set(k, { orders: e.orders + 1, revenue: e.revenue + o.amount });
    }
    lines.splice(100, 0, '{"id":"x","customer":"c-1","amount":1,"ts":"2026-11-01T00:00:00Z"}', '{"id":7001,"customer":"c-2","amount":-3,"ts":"2026-11-01T00:00:00Z"}', '{"id":7002,"customer":"c-3","amount":2,"ts":"yesterday"}');
    lines.splice(2000, 0, 'not json at all'); // line 2001: routed to --bad-lines instead of failing the job
    writeFileSync(orders, `${lines.join('\n')}\n`);
    const out = join(dir, 'revenue');
    const rejects = join(dir, 'rejects');
    const badLines = join(dir, 'bad-lines');
    const r = cli(['run', '-p', '2', 'examples/parquet-etl.ts', orders, '--output', out, '--rejects', rejects, '--bad-lines', badLines]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parquet = createRequire(import.meta.url)('parquetjs-lite') as {
      ParquetReader: { openFile(path: string): Promise<{ getCursor(): { next(): Promise<Record<string, unknown> | null> }; close(): Promise<void> }> };
    };
    const got = new Map<string, { orders: number; revenue: number }>();
    for (const f of readdirSync(out).filter((f) => !f.startsWith('.'))) {
      const reader = await parquet.ParquetReader.openFile(join(out, f));
      const cursor = reader.getCursor();
      for (let row = await cursor.next(); row; row = await cursor.next()) {
        const k = `${row['customer'] as string}|${row['day'] as string}`;
        expect(got.has(k), k).toBe(false); // BATCH: one final row per customer and day
        got.set(k, { orders: Number(row['orders']), revenue: row['revenue'] as number });
      }
      await reader.close();
    }
    expect([...got.keys()].sort()).toEqual([...expectedRevenue.keys()].sort());
    for (const [k, e] of expectedRevenue) {
      expect(got.get(k)!.orders, k).toBe(e.orders);
      expect(got.get(k)!.revenue, k).toBeCloseTo(e.revenue, 6);
    }
    const rejected = readdirSync(rejects).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(rejects, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { reason: string }).reason).sort();
    expect(rejected).toEqual(['amount is not a non-negative number', 'id is not a number', 'ts is not a date']);
    const bad = readdirSync(badLines).flatMap((f) => readFileSync(join(badLines, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(bad).toEqual([{ file: orders, line: 2001, offset: expect.any(Number), reason: expect.stringMatching(/^invalid JSON/), text: 'not json at all' }]);
  });

  it('info --json prints the JobGraph', () => {
    const r = cli(['info', '--json', '-p', '3', 'examples/wordcount.ts', textFile]);
    expect(r.code).toBe(0);
    const plans = JSON.parse(r.stdout) as Array<{ vertices: Array<{ name: string; parallelism: number }>; edges: Array<{ partitioner: string }> }>;
    const plan = Array.isArray(plans) ? plans[0] : plans;
    expect(plan.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      // BATCH: the keyed sum's pre-aggregation (combiner) is chained before the exchange.
      ['Source: FileSource(' + textFile + ') -> Tokenizer -> Combine (Counter)', 3], ['Counter -> Sink: Print to Std. Out', 3]]);
    expect(plan.edges[0].partitioner).toBe('HASH');
  });
});
