import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import {
  StreamExecutionEnvironment, FileSource, FileSink, ParquetFormat, ParquetWriters, BasePathBucketAssigner, WatermarkStrategy,
  type ParquetSchemaDefinition,
} from 'tsflink';

import { randomAccessInput, type RandomAccessInput } from '../file/BulkFormat.js';
import { getFileSystem } from '../../../hdfs/index.js';

const parquetjs = createRequire(import.meta.url)('parquetjs-lite');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-parquet-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row { id: number; name: string; score: number; big: number | bigint; ok: boolean; note?: string | null }
const schema: ParquetSchemaDefinition = {
  id: { type: 'INT32' },
  name: { type: 'UTF8' },
  score: { type: 'DOUBLE' },
  big: { type: 'INT64' },
  ok: { type: 'BOOLEAN' },
  note: { type: 'UTF8', optional: true },
};
const row = (i: number): Row => ({
  id: i, name: `name-${i} ✓`, score: i / 3, big: i * 1_000_000_007, ok: i % 2 === 0, ...(i % 3 === 0 ? {} : { note: i % 3 === 1 ? `n${i}` : null }),
});
const N = 10_000;

async function write(out: string, opts: { rowGroupSize?: number } = {}): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode('BATCH');
  // rebalance: both sink subtasks get rows even when one source reader takes every split.
  env.fromSequence(0, N - 1).rebalance().map((i) => row(i)).sinkTo(
    FileSink.forBulkFormat(out, ParquetWriters.forRows<Row>(schema, opts)).withBucketAssigner(new BasePathBucketAssigner<Row>()).build());
  await env.execute('parquet-write');
  return readdirSync(out).sort();
}

function expectRows(got: Record<string, unknown>[], int64: 'bigint' | 'number'): void {
  expect(got.length).toBe(N);
  got.sort((a, b) => (a['id'] as number) - (b['id'] as number));
  for (let i = 0; i < N; i++) {
    const g = got[i]!;
    const w = row(i);
    expect(g['id']).toBe(w.id);
    expect(g['name']).toBe(w.name);
    expect(g['score']).toBe(w.score);
    expect(g['big']).toBe(int64 === 'bigint' ? BigInt(w.big) : w.big);
    expect(g['ok']).toBe(w.ok);
    // null and absent optional fields both come back absent
    if (typeof w.note === 'string') expect(g['note']).toBe(w.note); else expect('note' in g).toBe(false);
  }
}

describe('Parquet (parquetjs-lite) through FileSink bulk format and FileSource bulk format', () => {
  it('round trip in a BATCH job: strings, doubles, int32, int64, booleans, optional fields; committed part files only', async () => {
    const out = join(dir, 'rt');
    const files = await write(out);
    expect(files).toEqual(['part-0-0', 'part-1-0']); // one file per subtask: bulk files roll only at checkpoints / end of input
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const got = await env.fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows(), out).build(), WatermarkStrategy.noWatermarks(), 'pq')
      .executeAndCollect();
    expectRows(got, 'bigint');
  });

  it('splits files by row groups across readers (many small splits), int64 as numbers, file:// URIs', async () => {
    const out = join(dir, 'rg');
    await write(out, { rowGroupSize: 500 });
    const size = statSync(join(out, 'part-0-0')).size;
    const env = StreamExecutionEnvironment.createLocalEnvironment(4);
    const src = FileSource.forBulkFileFormat(ParquetFormat.forRows({ int64: 'number' }), pathToFileURL(out).href).setSplitSize(Math.ceil(size / 7)).build();
    const got = await env.fromSource(src, WatermarkStrategy.noWatermarks(), 'pq').executeAndCollect();
    expectRows(got, 'number');
  });

  it('projects columns', async () => {
    const out = join(dir, 'rg'); // written by the previous test
    const got = await StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows<{ id: number; ok: boolean }>({ columns: ['id', 'ok'] }), out).build(), WatermarkStrategy.noWatermarks(), 'pq')
      .executeAndCollect();
    expect(got.length).toBe(N);
    expect(Object.keys(got[0]!).sort()).toEqual(['id', 'ok']);
    await expect(StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows({ columns: ['nope'] }), out).build(), WatermarkStrategy.noWatermarks(), 'pq')
      .executeAndCollect()).rejects.toThrow(/column 'nope' is not in .*part-/);
  });

  it('a file that is not Parquet fails naming the file', async () => {
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    const p = join(dir, 'bad.parquet');
    writeFileSync(p, 'this is not parquet at all\n');
    await expect(StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows(), p).build(), WatermarkStrategy.noWatermarks(), 'pq').executeAndCollect())
      .rejects.toThrow(/cannot read .*bad\.parquet as a Parquet file/);
  });

  it('a row missing a required column fails the job with the row and file; nothing becomes visible', async () => {
    const out = join(dir, 'bad-rows');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode('BATCH');
    env.fromSequence(0, 99).map((i) => (i === 42 ? { id: 42 } : row(i)) as Row).sinkTo(
      FileSink.forBulkFormat(out, ParquetWriters.forRows<Row>(schema)).withBucketAssigner(new BasePathBucketAssigner<Row>()).build());
    await expect(env.execute()).rejects.toThrow(/missing required field: name/);
    expect(readdirSync(out).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('rejects an invalid schema and INT64 bigints parquetjs-lite cannot write exactly', async () => {
    expect(() => ParquetWriters.forRows({ a: { type: 'NOPE' as 'UTF8' } })).toThrow(/invalid schema.*invalid parquet type: NOPE/);
    expect(() => FileSink.forBulkFormat(join(dir, 'x'), {} as never)).toThrow(/BulkWriterFactory/);
    const out = join(dir, 'big-int64');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode('BATCH');
    env.fromElements({ v: 1n << 60n }).sinkTo(FileSink.forBulkFormat(out, ParquetWriters.forRows<{ v: bigint }>({ v: { type: 'INT64' } })).build());
    await expect(env.execute()).rejects.toThrow(/outside ±2\^53/);
  });

  it('FileSink.forBulkFormat(path, factory) is a sink without build() (API.md §6); default buckets are yyyy-MM-dd--HH dirs', async () => {
    const out = join(dir, 'no-build');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode('BATCH');
    env.fromElements({ v: 1 }, { v: 2 }).sinkTo(FileSink.forBulkFormat(out, ParquetWriters.forRows<{ v: number }>({ v: { type: 'DOUBLE' } })));
    await env.execute();
    const buckets = readdirSync(out);
    expect(buckets.length).toBe(1);
    expect(buckets[0]).toMatch(/^\d{4}-\d{2}-\d{2}--\d{2}$/);
    const got = await StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows<{ v: number }>(), out).build(), WatermarkStrategy.noWatermarks(), 'pq').executeAndCollect();
    expect(got.map((r) => r.v).sort()).toEqual([1, 2]);
  });

  it('reads files written by pyarrow (format 1 and 2, PLAIN/RLE_DICTIONARY, V1/V2 pages, snappy/gzip), split by row groups', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
    for (const f of ['pyarrow-dict-v1', 'pyarrow-default', 'pyarrow-plain-gzip', 'pyarrow-plain-v2']) {
      const src = FileSource.forBulkFileFormat(ParquetFormat.forRows(), join(fixtures, `${f}.parquet`)).setSplitSize(2500).build();
      const got = await StreamExecutionEnvironment.createLocalEnvironment(2).fromSource(src, WatermarkStrategy.noWatermarks(), 'pq').executeAndCollect();
      got.sort((a, b) => (a['id'] as number) - (b['id'] as number));
      const want = Array.from({ length: 300 }, (_, i) => ({
        id: i, city: ['Berlin', 'Paris', 'Tokyo'][i % 3], big: i % 50 === 0 ? (1n << 60n) + BigInt(i) : BigInt(i * 7), score: i * 0.5, ok: i % 2 === 0,
        ...(i % 4 === 0 ? {} : { note: `note${i}` }),
      }));
      expect(got, f).toEqual(want);
    }
  });

  // ParquetWriters shreds flat rows itself (parquetjs-lite's shredRecord allocates per row and
  // column); the files must stay byte-identical to the library's own writer.
  const def = { id: { type: 'INT32' }, name: { type: 'UTF8', optional: true }, score: { type: 'DOUBLE' }, big: { type: 'INT64', optional: true }, ok: { type: 'BOOLEAN' }, ts: { type: 'TIMESTAMP_MILLIS' }, js: { type: 'JSON', optional: true } } as const;
  const rows = Array.from({ length: 23456 }, (_, i) => ({ id: i, ...(i % 3 ? { name: `n${i % 97}` } : { name: null }), score: i / 3, ...(i % 5 ? { big: BigInt(i) * 1000n } : {}), ok: i % 7 === 0, ts: new Date(1e12 + i), ...(i % 2 ? { js: { a: i } } : {}) }));
  function sink(chunks: Buffer[]): Writable { return new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } }); }
  it('fast flat shredding writes the same bytes as parquetjs-lite appendRow', async () => {
    for (const opts of [{}, { rowGroupSize: 1000, pageSize: 300 }, { useDataPageV2: false, rowGroupSize: 5000 }]) {
      const a: Buffer[] = [];
      const w = ParquetWriters.forRows(def as never, opts).create(sink(a), 'x');
      for (const r of rows) w.addElement(r);
      await w.finish();
      const b: Buffer[] = [];
      const lw = await parquetjs.ParquetWriter.openStream(new parquetjs.ParquetSchema(def), sink(b), opts);
      if ((opts as { rowGroupSize?: number }).rowGroupSize) lw.setRowGroupSize((opts as { rowGroupSize: number }).rowGroupSize);
      for (const r of rows) await lw.appendRow(r);
      await lw.close();
      expect(Buffer.concat(a).equals(Buffer.concat(b))).toBe(true);
    }
  });

  it('reads through ranged reads only: the footer tail, the header, then one read per row group; never the whole file', async () => {
    const out = join(dir, 'io');
    await write(out, { rowGroupSize: 1000 });
    const path = join(out, 'part-0-0');
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(3 * 64 * 1024);
    const reads: [number, number][] = [];
    const base = randomAccessInput(getFileSystem(path), path, size);
    const counting: RandomAccessInput = { path, length: size, read: (o, l) => { reads.push([o, l]); return base.read(o, l); } };
    const fmt = ParquetFormat.forRows();
    let rows = 0;
    for (const [start, end] of [[0, Math.floor(size / 2)], [Math.floor(size / 2), size]] as const) {
      const r = await fmt.createReader(counting, { path, start, end, fileLength: size });
      for (let b = await r.readBatch(); b !== null; b = await r.readBatch()) rows += b.length;
      await r.close();
    }
    const lib = await parquetjs.ParquetReader.openFile(path);
    const groups = lib.metadata.row_groups.length as number;
    expect(rows).toBe(Number(lib.getRowCount())); // the two halves together read every row group exactly once
    await lib.close();
    expect(groups).toBeGreaterThan(2);
    expect(reads.every(([, l]) => l < size / 2)).toBe(true);
    // per split: footer tail + header, plus one read per row group it owns
    expect(reads.length).toBe(2 * 2 + groups);
  });

  it('round trips timestamps, dates, JSON, bytes, floats, enums, repeated and nested fields (library shredder path)', async () => {
    const out = join(dir, 'types');
    const rec = {
      t: new Date(1700000000123), tm: new Date(1700000000123), dt: new Date(Date.UTC(2024, 1, 3)), j: { a: [1, 'x'] }, b: Buffer.from([1, 2, 255]),
      f: 1.5, e: 'X', tags: ['a', 'b'], g: { x: 1, y: 'q' },
    };
    const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode('BATCH');
    env.fromElements(rec, { ...rec, tags: [], f: 2.25 }).sinkTo(FileSink.forBulkFormat(out, ParquetWriters.forRows<typeof rec>({
      t: { type: 'TIMESTAMP_MILLIS' }, tm: { type: 'TIMESTAMP_MICROS' }, dt: { type: 'DATE' }, j: { type: 'JSON' }, b: { type: 'BYTE_ARRAY' },
      f: { type: 'FLOAT' }, e: { type: 'ENUM' }, tags: { type: 'UTF8', repeated: true }, g: { fields: { x: { type: 'INT32' }, y: { type: 'UTF8' } } },
    })).withBucketAssigner(new BasePathBucketAssigner<typeof rec>()).build());
    await env.execute();
    const got = await StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows<typeof rec>(), out).build(), WatermarkStrategy.noWatermarks(), 'pq').executeAndCollect();
    got.sort((a, b) => a.f - b.f);
    expect(got[0]).toEqual(rec);
    const { tags: _none, ...rest } = rec;
    expect(got[1]).toEqual({ ...rest, f: 2.25 }); // an empty repeated field comes back absent
  });
});
