import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, FileSource, CsvFormat, JsonLinesFormat, WatermarkStrategy, type StreamFormat } from 'tsflink';

// Bad records do not sink a run: unparseable lines go to a rejects directory with file, line and
// reason, are counted, and fail the read only above maxRejectedFraction.
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

  it('above maxRejectedFraction the read fails, naming the counts, the threshold and the rejects file', async () => {
    const p = join(dir, 'mostly-bad.jsonl');
    writeFileSync(p, '{"a":1}\nnot json\n{"a":2}\nalso not\n');
    await expect(read(new JsonLinesFormat().withRejects({ dir: join(dir, 'rj2'), maxRejectedFraction: 0.25 }), p))
      .rejects.toThrow(/2 of 4 records in .*mostly-bad\.jsonl \[0, \d+\) could not be parsed \(50\.00 %\), more than maxRejectedFraction 0\.25; see .*rejects-[0-9a-f]{16}\.jsonl; first: line 2/);
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
