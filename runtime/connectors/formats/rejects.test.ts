import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, FileSource, FileSink, BasePathBucketAssigner, CsvFormat, JsonLinesFormat, WatermarkStrategy, type StreamFormat } from 'tsflink';

// Bad records do not sink a run: unparseable lines go to a rejects directory with file, line and
// reason, are counted, and fail the job only if more than maxRejectedFraction of all its records were rejected.
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-rejects-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read<T>(format: StreamFormat<T>, path: string, parallelism = 1, splitSize?: number): Promise<T[]> {
  const b = FileSource.forRecordStreamFormat(format, path);
  if (splitSize) b.setSplitSize(splitSize);
  return StreamExecutionEnvironment.createLocalEnvironment(parallelism).fromSource(b.build(), WatermarkStrategy.noWatermarks(), 'src').executeAndCollect();
}
const rejectsIn = (d: string): Array<{ file: string; line: number; offset: number; reason: string; text: string }> =>
  readdirSync(d).flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))).sort((a, b) => a.line - b.line);

describe('rejected records', () => {
  it('JSON Lines: every good line is read, every bad one lands in the rejects dir with its file, line and reason, across many splits', async () => {
    const p = join(dir, 'orders.jsonl');
    const lines: string[] = [];
    const bad = new Set<number>();
    for (let i = 1; i <= 20_000; i++) {
      if (i % 997 === 0) { bad.add(i); lines.push(`{"id": ${i}, broken`); } else lines.push(JSON.stringify({ id: i }));
    }
    writeFileSync(p, lines.join('\n') + '\n');
    const rejects = join(dir, 'rejects-json');
    const rows = await read(new JsonLinesFormat<{ id: number }>().withRejects({ dir: rejects, maxRejectedFraction: 0.01 }), p, 3, 16 * 1024);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...Array(20_000).keys()].map((i) => i + 1).filter((i) => !bad.has(i)));
    const got = rejectsIn(rejects);
    expect(got.map((r) => r.line)).toEqual([...bad]);
    expect(got.every((r) => r.file === p && /invalid JSON/.test(r.reason) && r.text.startsWith(`{"id": ${r.line}, broken`))).toBe(true);
    expect(readdirSync(rejects).length).toBeGreaterThan(1); // one file per split that had rejects
  });

  it('maxRejectedFraction is over all the records of the source, not per split: one all-bad file among good ones passes', async () => {
    const d = join(dir, 'mixed');
    mkdirSync(d);
    for (const f of ['a', 'b']) writeFileSync(join(d, `${f}.jsonl`), [...Array(1000).keys()].map((i) => JSON.stringify({ f, i })).join('\n') + '\n');
    writeFileSync(join(d, 'c.jsonl'), 'no\nnot json\nnope\n{broken\n]\n');
    const rejects = join(dir, 'rj-mixed');
    // c.jsonl alone is 100 % bad; the source as a whole rejects 5 of 2,005 records (0.25 %).
    const rows = await read(new JsonLinesFormat<{ f: string; i: number }>().withRejects({ dir: rejects, maxRejectedFraction: 0.01 }), d, 3);
    expect(rows).toHaveLength(2000);
    expect(rejectsIn(rejects).map((r) => [r.file, r.line])).toEqual([1, 2, 3, 4, 5].map((l) => [join(d, 'c.jsonl'), l]));
  });

  it('above maxRejectedFraction the job fails before its sink commits anything, naming the counts over all splits, the threshold, the rejects and the first bad line', async () => {
    const d = join(dir, 'too-bad');
    mkdirSync(d);
    writeFileSync(join(d, 'good.jsonl'), [...Array(100).keys()].map((i) => JSON.stringify({ i })).join('\n') + '\n');
    writeFileSync(join(d, 'bad.jsonl'), [...Array(10).keys()].map((i) => `not json ${i}`).join('\n') + '\n');
    const rejects = join(dir, 'rj2');
    const out = join(dir, 'too-bad-out');
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.setRuntimeMode('BATCH');
    env.fromSource(FileSource.forRecordStreamFormat(new JsonLinesFormat<{ i: number }>().withRejects({ dir: rejects, maxRejectedFraction: 0.05 }), d).build(), WatermarkStrategy.noWatermarks(), 'src')
      .map((r) => String(r.i)).sinkTo(FileSink.forRowFormat(out, (s: string) => s).withBucketAssigner(new BasePathBucketAssigner<string>()).build());
    await expect(env.execute('too-bad')).rejects.toThrow(new RegExp(`10 of 110 records read from ${d} could not be parsed by JsonLinesFormat \\(9\\.09 %\\), more than maxRejectedFraction 0\\.05; `
      + `rejects in ${rejects} \\(1 file\\(s\\)\\); first: ${join(d, 'bad.jsonl')} line 1: invalid JSON`));
    expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    expect(rejectsIn(rejects)).toHaveLength(10);
    expect(() => new JsonLinesFormat().withRejects({ maxRejectedFraction: 2 })).toThrow(/between 0 and 1/);
  });

  it('CSV: bad rows are rejected with the reason and line, good ones kept', async () => {
    const p = join(dir, 'people.csv');
    writeFileSync(p, '1,ann,true\n2,bob\nx,cy,false\n4,dee,maybe\n5,eve,false\n');
    const rejects = join(dir, 'rejects-csv');
    const fmt = CsvFormat.forSchema({ columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'string' }, { name: 'vip', type: 'boolean' }] }).withRejects({ dir: rejects });
    const rows = await read(fmt, p);
    expect(rows.map((r) => r['id']).sort()).toEqual([1, 5]);
    expect(rejectsIn(rejects).map((r) => [r.line, r.text])).toEqual([[2, '2,bob'], [3, 'x,cy,false'], [4, '4,dee,maybe']]);
  });
});
