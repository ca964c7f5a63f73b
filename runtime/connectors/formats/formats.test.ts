import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, FileSource, CsvFormat, JsonLinesFormat, WatermarkStrategy, type StreamFormat, type CsvRow } from 'tsflink';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-formats-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read<T>(format: StreamFormat<T>, path: string, parallelism = 1, splitSize?: number): Promise<T[]> {
  const b = FileSource.forRecordStreamFormat(format, path);
  if (splitSize) b.setSplitSize(splitSize);
  return StreamExecutionEnvironment.createLocalEnvironment(parallelism).fromSource(b.build(), WatermarkStrategy.noWatermarks(), 'src').executeAndCollect();
}

const people = CsvFormat.forSchema({ columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'string' }, { name: 'vip', type: 'boolean' }] });

describe('CsvFormat', () => {
  it('parses typed columns with RFC 4180 quoting: embedded delimiters, doubled quotes, empty fields, CRLF, blank lines, header', async () => {
    const p = join(dir, 'a.csv');
    writeFileSync(p, 'id,name,vip\r\n1,plain,true\r\n2,"with, comma",FALSE\n\n3,"say ""hi""",\n4,,True\n 5 ,"",false\n6,"x",');
    const fmt = CsvFormat.forSchema({ columns: people.schema.columns, skipHeader: true });
    const rows = (await read(fmt, p)).sort((a, b) => (a['id'] as number) - (b['id'] as number));
    expect(rows).toEqual([
      { id: 1, name: 'plain', vip: true },
      { id: 2, name: 'with, comma', vip: false },
      { id: 3, name: 'say "hi"', vip: null },
      { id: 4, name: '', vip: true },
      { id: 5, name: '', vip: false },
      { id: 6, name: 'x', vip: null },
    ]);
  });

  it('custom delimiter and quote; splittable: every row exactly once across many splits and readers', async () => {
    const p = join(dir, 'big.csv');
    const n = 20_000;
    const lines = Array.from({ length: n }, (_, i) => `${i};'name ${i}; ''q'''; ${i % 2 === 0}`);
    writeFileSync(p, lines.join('\n') + '\n');
    const fmt = CsvFormat.forSchema({ columns: people.schema.columns, delimiter: ';', quote: "'" });
    expect(fmt.splittable).toBe(true);
    const rows = await read(fmt, p, 4, 4096);
    expect(rows.length).toBe(n);
    rows.sort((a, b) => (a['id'] as number) - (b['id'] as number));
    rows.forEach((r, i) => expect(r).toEqual({ id: i, name: `name ${i}; 'q'`, vip: i % 2 === 0 }));
  });

  it('a bad row fails naming the file and the line, also in a split that starts mid-file', async () => {
    const p = join(dir, 'bad.csv');
    const lines = Array.from({ length: 5000 }, (_, i) => `${i},n${i},true`);
    lines[3999] = '3999,oops'; // line 4000: wrong column count
    writeFileSync(p, lines.join('\n') + '\n');
    await expect(read(people, p)).rejects.toThrow(/CsvFormat: bad record in .*bad\.csv at line 4000: expected 3 columns, found 2/);
    await expect(read(people, p, 2, 8192)).rejects.toThrow(/bad\.csv at line 4000: expected 3 columns/);
    const p2 = join(dir, 'bad2.csv');
    writeFileSync(p2, '1,a,true\n2,b,maybe\nx,c,true\n4,"open,true\n');
    await expect(read(people, p2)).rejects.toThrow(/bad2\.csv at line 2: column 'vip': "maybe" is not a boolean/);
    writeFileSync(p2, '1,a,true\nx,c,true\n');
    await expect(read(people, p2)).rejects.toThrow(/bad2\.csv at line 2: column 'id': "x" is not a number/);
    writeFileSync(p2, '1,a,true\n4,"open,true\n');
    await expect(read(people, p2)).rejects.toThrow(/bad2\.csv at line 2: unterminated quoted field/);
    writeFileSync(p2, '1,"a"b,true\n');
    await expect(read(people, p2)).rejects.toThrow(/line 1: unexpected 'b' after the closing quote of field 2/);
  });

  it('withIgnoreParseErrors() skips bad rows', async () => {
    const p = join(dir, 'mixed.csv');
    writeFileSync(p, '1,a,true\n2,b,maybe\nx,c,true\n4,"open,true\n5,e,false\n6\n7,g,true,extra\n');
    const rows = await read(people.withIgnoreParseErrors(), p);
    expect(rows.map((r) => r['id']).sort()).toEqual([1, 5]);
  });

  it('withMultiLineRecords() allows line breaks inside quotes (one split per file) and keeps line numbers', async () => {
    const p = join(dir, 'multi.csv');
    writeFileSync(p, '1,"two\nlines",true\n2,"three\r\nline\n""s""",false\n3,x,true\n4,"never closed,true\n5,y,true\n');
    const fmt = people.withMultiLineRecords();
    expect(fmt.splittable).toBe(false);
    await expect(read(fmt, p)).rejects.toThrow(/multi\.csv at line 7: unterminated quoted field at the end of the file/);
    writeFileSync(p, '1,"two\nlines",true\n2,"three\r\nline\n""s""",false\n3,x,true\n');
    const rows = (await read<CsvRow>(fmt, p)).sort((a, b) => (a['id'] as number) - (b['id'] as number));
    expect(rows).toEqual([{ id: 1, name: 'two\nlines', vip: true }, { id: 2, name: 'three\nline\n"s"', vip: false }, { id: 3, name: 'x', vip: true }]);
  });

  it('validates the schema', () => {
    expect(() => CsvFormat.forSchema({ columns: [] })).toThrow(/needs columns/);
    expect(() => CsvFormat.forSchema({ columns: [{ name: 'a', type: 'date' as 'string' }] })).toThrow(/column 'a' has type "date"/);
    expect(() => CsvFormat.forSchema({ columns: [{ name: 'a', type: 'string' }, { name: 'a', type: 'number' }] })).toThrow(/appears twice/);
    expect(() => CsvFormat.forSchema({ columns: [{ name: 'a', type: 'string' }], delimiter: '::' })).toThrow(/delimiter must be one character/);
  });
});

describe('JsonLinesFormat', () => {
  it('one JSON object per line, blank lines skipped, splittable across readers', async () => {
    const p = join(dir, 'a.jsonl');
    const n = 10_000;
    const objs = Array.from({ length: n }, (_, i) => ({ i, s: `v${i} "quoted" ✓`, nested: { a: [i, null, true] } }));
    writeFileSync(p, objs.map((o, i) => (i % 100 === 0 ? '\n' : '') + JSON.stringify(o)).join('\r\n') + '\n\n');
    const got = await read(new JsonLinesFormat<{ i: number }>(), p, 3, 20_000);
    expect(got.length).toBe(n);
    expect(got.sort((a, b) => a.i - b.i)).toEqual(objs);
  });

  it('a bad line fails naming the file and line (also mid-file splits); withIgnoreParseErrors() skips it', async () => {
    const p = join(dir, 'bad.jsonl');
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i }));
    lines[2500] = '{"i": 2500,';
    writeFileSync(p, lines.join('\n') + '\n');
    await expect(read(new JsonLinesFormat(), p)).rejects.toThrow(/JsonLinesFormat: bad record in .*bad\.jsonl at line 2501: invalid JSON/);
    await expect(read(new JsonLinesFormat(), p, 2, 4096)).rejects.toThrow(/bad\.jsonl at line 2501: invalid JSON/);
    const got = await read(new JsonLinesFormat<{ i: number }>().withIgnoreParseErrors(), p, 2, 4096);
    expect(got.length).toBe(2999);
    expect(got.some((o) => o.i === 2500)).toBe(false);
  });
});
