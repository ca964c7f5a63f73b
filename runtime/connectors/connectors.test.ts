import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import {
  StreamExecutionEnvironment, FileSource, TextLineFormat, FileSink, SimpleStringEncoder, BasePathBucketAssigner, DataGeneratorSource,
  WatermarkStrategy, DefaultRollingPolicy, RichMapFunction,
} from 'tsflink';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-conn-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file source', () => {
  it('reads every line exactly once across many small splits, incl. CRLF, unicode and a missing final newline', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)} ${'x'.repeat(i % 53)}`);
    const path = join(dir, 'big.txt');
    writeFileSync(path, lines.slice(0, 2500).join('\n') + '\r\n' + lines.slice(2500).join('\r\n'));
    for (const splitSize of [97, 1000, 65536]) {
      const env = StreamExecutionEnvironment.createLocalEnvironment(4);
      const src = FileSource.forRecordStreamFormat(new TextLineFormat(), path).setSplitSize(splitSize).build();
      const out = await env.fromSource(src, WatermarkStrategy.noWatermarks(), 'file').executeAndCollect();
      expect(out.length).toBe(lines.length);
      expect(out.sort()).toEqual([...lines].sort());
    }
  });

  it('readTextFile reads a directory recursively, skipping hidden and _ files, in parallel', async () => {
    const d = join(dir, 'in');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'a.txt'), 'a1\na2\n');
    writeFileSync(join(d, 'sub', 'b.txt'), 'b1\n');
    writeFileSync(join(d, 'empty.txt'), '');
    writeFileSync(join(d, '.hidden'), 'nope\n');
    writeFileSync(join(d, '_SUCCESS'), 'nope\n');
    const out = await StreamExecutionEnvironment.createLocalEnvironment(3).readTextFile(d).executeAndCollect();
    expect(out.sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('a missing input path fails with the path in the message', async () => {
    await expect(StreamExecutionEnvironment.createLocalEnvironment(1).readTextFile(join(dir, 'nope.txt')).executeAndCollect())
      .rejects.toThrow(/cannot read input path '.*nope.txt'/);
  });
});

describe('FileSink (row format)', () => {
  it('writes part-<subtask>-<n> files, hidden while in progress, committed at the end in BATCH', async () => {
    const out = join(dir, 'sink');
    const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode('BATCH');
    env.fromSequence(1, 1000).map((n) => ({ n })).sinkTo(
      FileSink.forRowFormat(out, new SimpleStringEncoder<{ n: number }>()).withBucketAssigner(new BasePathBucketAssigner())
        .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(4000).build()).build());
    await env.execute('sink');
    const files = readdirSync(out).sort();
    expect(files.every((f) => /^part-[01]-\d+$/.test(f))).toBe(true);
    expect(files.length).toBeGreaterThan(2); // rolled by size
    const rows = files.flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l) as { n: number });
    expect(rows.map((r) => r.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('a failed job leaves no visible part files (only hidden in-progress ones)', async () => {
    const out = join(dir, 'sink-fail');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.fromSequence(1, 100).map((n) => { if (n === 100) throw new Error('boom'); return n; })
      .sinkTo(FileSink.forRowFormat<number>(out, (n) => String(n)).withBucketAssigner(new BasePathBucketAssigner()).build());
    await expect(env.execute()).rejects.toThrow(/boom/);
    const files = readdirSync(out);
    expect(files.filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('the default bucket assigner writes into yyyy-MM-dd--HH directories', async () => {
    const out = join(dir, 'sink-buckets');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.fromElements('x').sinkTo(FileSink.forRowFormat(out, new SimpleStringEncoder<string>()).build());
    await env.execute();
    const buckets = readdirSync(out);
    expect(buckets.length).toBe(1);
    expect(buckets[0]).toMatch(/^\d{4}-\d{2}-\d{2}--\d{2}$/);
    expect(readFileSync(join(out, buckets[0], 'part-0-0'), 'utf8')).toBe('x\n');
  });
});

describe('DataGeneratorSource and socketTextStream', () => {
  it('generates count records in parallel, each index once, at the rate limit', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const t0 = Date.now();
    const out = await env.fromSource(new DataGeneratorSource((i) => `r${i}`, 300, 1000), WatermarkStrategy.noWatermarks(), 'gen').executeAndCollect();
    const took = Date.now() - t0;
    expect(out.sort()).toEqual(Array.from({ length: 300 }, (_, i) => `r${i}`).sort());
    expect(took).toBeGreaterThanOrEqual(200); // 300 records at 1000/s
  });

  it('reads lines from a TCP server until it closes the connection', async () => {
    const server: Server = createServer((sock) => { sock.end('one\ntwo\nthree'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const out = await StreamExecutionEnvironment.createLocalEnvironment(1).socketTextStream('127.0.0.1', port).executeAndCollect();
    server.close();
    expect(out).toEqual(['one', 'two', 'three']);
  });

  it('an unreachable socket fails with a hint', async () => {
    await expect(StreamExecutionEnvironment.createLocalEnvironment(1).socketTextStream('127.0.0.1', 1).executeAndCollect())
      .rejects.toThrow(/connection to 127.0.0.1:1 failed.*Is a server listening/);
  });

  it('records that are not plain data fail with a serialization error naming the problem', async () => {
    class Holder { constructor(readonly f: () => number) {} }
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    await expect(env.fromElements(1).map(new (class extends RichMapFunction<number, Holder> { map(): Holder { return new Holder(() => 1); } })())
      .rebalance().map((h) => h).executeAndCollect()).rejects.toThrow(/plain data|serializ/i);
  });
});
