// File connectors on the real Hadoop minicluster: jobs run in-process and reach HDFS through the
// hdfs/ FileSystem (WebHDFS); results are checked independently with plain WebHDFS HTTP calls.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  StreamExecutionEnvironment, FileSource, FileSink, ParquetFormat, ParquetWriters, BasePathBucketAssigner, WatermarkStrategy, RichMapFunction,
  CsvFormat, JsonLinesFormat, type StreamFormat,
} from 'tsflink';
import { getFileSystem, type FileSystem } from '../../hdfs/index.js';
import { cluster } from '../hdfs/cluster.js';

const base = `/tmp/it-connectors-${randomUUID().slice(0, 8)}`;
let nn: string; // hdfs://host:port
let fs: FileSystem;

beforeAll(async () => {
  const c = cluster();
  // In-process jobs call getFileSystem(path) without a config: the hdfs layer then finds the
  // NameNode's HTTP address through $HADOOP_CONF_DIR (hdfs-site.xml: dfs.namenode.http-address).
  process.env['HADOOP_CONF_DIR'] = c.hadoopConfDir;
  nn = c.namenode;
  fs = getFileSystem(`${nn}${base}`);
  await fs.mkdirs(base);
});

afterAll(async () => {
  await fs?.delete(base, true);
});

// ---- independent WebHDFS checks (plain HTTP, not the hdfs/ layer) -------------------------------

interface WebHdfsStatus { pathSuffix: string; type: 'FILE' | 'DIRECTORY'; length: number }
async function webhdfs(path: string, op: string, extra = ''): Promise<Response> {
  const res = await fetch(`${cluster().webhdfs}/webhdfs/v1${path}?op=${op}&user.name=${cluster().superuser}${extra}`);
  if (!res.ok) throw new Error(`WebHDFS ${op} ${path}: ${res.status} ${await res.text()}`);
  return res;
}
async function list(path: string): Promise<WebHdfsStatus[]> {
  const body = (await (await webhdfs(path, 'LISTSTATUS')).json()) as { FileStatuses: { FileStatus: WebHdfsStatus[] } };
  return body.FileStatuses.FileStatus;
}
async function readText(path: string): Promise<string> { return (await webhdfs(path, 'OPEN')).text(); }
async function readBytes(path: string, offset: number, length: number): Promise<Buffer> {
  return Buffer.from(await (await webhdfs(path, 'OPEN', `&offset=${offset}&length=${length}`)).arrayBuffer());
}

// ---- deterministic input text ------------------------------------------------------------------

const VOCAB = ['flink', 'hadoop', 'hdfs', 'yarn', 'stream', 'batch', 'käse', 'naïve', 'node', 'typescript', 'a', 'b'];
function makeLines(n: number, seed: number): string[] {
  let x = seed;
  const next = (): number => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x; };
  return Array.from({ length: n }, (_, i) => {
    const k = 1 + (next() % 9);
    return Array.from({ length: k }, () => VOCAB[next() % VOCAB.length]).join(' ') + (i % 11 === 0 ? ` w${i % 37}` : '');
  });
}

describe('file connectors on HDFS (minicluster)', () => {
  it('BATCH word count: text from hdfs://, counts to hdfs:// through FileSink row format; only committed part files visible', async () => {
    const input = `${base}/wc-in`;
    const output = `${base}/wc-out`;
    const files = [makeLines(30_000, 1), makeLines(20_000, 2), makeLines(5_000, 3)];
    for (let i = 0; i < files.length; i++) await fs.writeFile(`${nn}${input}/part-${i}.txt`, files[i]!.join('\n') + '\n');
    const expected = new Map<string, number>();
    for (const l of files.flat()) for (const w of l.split(' ')) expected.set(w, (expected.get(w) ?? 0) + 1);

    const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode('BATCH');
    env.readTextFile(`${nn}${input}`)
      .flatMap((line: string, out) => { for (const w of line.split(' ')) if (w) out.collect([w, 1] as [string, number]); })
      .keyBy((t) => t[0])
      .sum(1)
      .sinkTo(FileSink.forRowFormat<[string, number]>(`${nn}${output}`, (t) => `${t[0]}\t${t[1]}`)
        .withBucketAssigner(new BasePathBucketAssigner()).build());
    await env.execute('hdfs-wordcount');

    const listed = await list(output);
    expect(listed.length).toBeGreaterThan(0);
    // Every in-progress file was committed by rename: nothing hidden or in-progress remains.
    expect(listed.map((s) => s.pathSuffix).filter((n) => n.startsWith('.') || n.includes('inprogress'))).toEqual([]);
    expect(listed.every((s) => s.type === 'FILE' && /^part-[01]-\d+$/.test(s.pathSuffix))).toBe(true);
    const got = new Map<string, number>();
    for (const s of listed) {
      for (const line of (await readText(`${output}/${s.pathSuffix}`)).split('\n')) {
        if (!line) continue;
        const [w, c] = line.split('\t');
        expect(got.has(w!)).toBe(false); // BATCH: one final count per word
        got.set(w!, Number(c));
      }
    }
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
  });

  it('Parquet round trip on HDFS: FileSink bulk format writes, FileSource bulk format reads by row groups with ranged reads', async () => {
    const output = `${base}/pq`;
    type Row = { id: number; word: string; score: number; big: number; ok: boolean; note?: string };
    const n = 20_000;
    const row = (i: number): Row => ({ id: i, word: VOCAB[i % VOCAB.length]!, score: i * 0.25, big: i * 3_000_000_019, ok: i % 3 === 0, ...(i % 4 === 0 ? { note: `n${i}` } : {}) });
    const writeEnv = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode('BATCH');
    writeEnv.fromSequence(0, n - 1).map((i) => row(i)).sinkTo(
      FileSink.forBulkFormat(`${nn}${output}`, ParquetWriters.forRows<Row>({
        id: { type: 'INT32' }, word: { type: 'UTF8' }, score: { type: 'DOUBLE' }, big: { type: 'INT64' }, ok: { type: 'BOOLEAN' },
        note: { type: 'UTF8', optional: true },
      }, { rowGroupSize: 1000 })).withBucketAssigner(new BasePathBucketAssigner<Row>()).build());
    await writeEnv.execute('hdfs-parquet-write');

    const listed = await list(output);
    // One file per writing subtask; as in Flink, the sequence's splits go to whichever reader asks
    // first, so a fast subtask can take both splits and the other writes nothing.
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.map((s) => s.pathSuffix).filter((f) => !/^part-[01]-0$/.test(f))).toEqual([]);
    for (const s of listed) {
      // Complete Parquet files: magic at both ends (checked with WebHDFS ranged OPENs).
      expect((await readBytes(`${output}/${s.pathSuffix}`, 0, 4)).toString()).toBe('PAR1');
      expect((await readBytes(`${output}/${s.pathSuffix}`, s.length - 4, 4)).toString()).toBe('PAR1');
    }

    const splitSize = Math.ceil(Math.max(...listed.map((s) => s.length)) / 5); // several row-group splits per file
    const readEnv = StreamExecutionEnvironment.createLocalEnvironment(3);
    const got = await readEnv.fromSource(FileSource.forBulkFileFormat(ParquetFormat.forRows<Row>({ int64: 'number' }), `${nn}${output}`)
      .setSplitSize(splitSize).build(), WatermarkStrategy.noWatermarks(), 'parquet').executeAndCollect();
    expect(got.length).toBe(n);
    got.sort((a, b) => a.id - b.id);
    for (let i = 0; i < n; i++) expect(got[i]).toEqual(row(i));
  });

  it('readTextFile of an hdfs:// directory split across 4 subtasks returns exactly the line multiset', async () => {
    const dir = `${base}/lines`;
    const all: string[] = [];
    const sizes = [60_000, 25_000, 1, 0, 8_000];
    for (let i = 0; i < sizes.length; i++) {
      const lines = makeLines(sizes[i]!, 100 + i).map((l, j) => (j % 5 === 0 ? l + ' dup' : l));
      all.push(...lines);
      const last = i === 1 ? '' : '\n'; // one file without a final newline
      await fs.writeFile(`${nn}${dir}/${i % 2 === 0 ? 'sub/' : ''}f${i}.txt`, lines.length === 0 ? '' : lines.join('\n') + last);
    }
    await fs.writeFile(`${nn}${dir}/_SUCCESS`, 'skipped\n');
    await fs.writeFile(`${nn}${dir}/.hidden.txt`, 'skipped\n');

    class Tag extends RichMapFunction<string, [number, string]> {
      map(v: string): [number, string] { return [this.getRuntimeContext().getTaskInfo().indexOfThisSubtask, v]; }
    }
    const env = StreamExecutionEnvironment.createLocalEnvironment(4);
    const got = await env.readTextFile(`${nn}${dir}`).map(new Tag()).executeAndCollect();
    expect(got.length).toBe(all.length);
    expect(got.map((t) => t[1]).sort()).toEqual([...all].sort());
    expect(new Set(got.map((t) => t[0])).size).toBeGreaterThan(1); // the splits were read in parallel
  });

  it('CsvFormat and JsonLinesFormat on hdfs://: split reads, and a bad record names the hdfs file and line', async () => {
    const n = 40_000;
    const csv = `${nn}${base}/t.csv`;
    const jsonl = `${nn}${base}/t.jsonl`;
    const csvLines = Array.from({ length: n }, (_, i) => `${i},"w ${VOCAB[i % VOCAB.length]}, ""q""",${i % 2 === 0}`);
    await fs.writeFile(csv, csvLines.join('\n') + '\n');
    await fs.writeFile(jsonl, Array.from({ length: n }, (_, i) => JSON.stringify({ i, w: VOCAB[i % VOCAB.length] })).join('\n') + '\n');
    const fmt = CsvFormat.forSchema({ columns: [{ name: 'id', type: 'number' }, { name: 'w', type: 'string' }, { name: 'even', type: 'boolean' }] });
    const read = <T>(f: StreamFormat<T>, p: string): Promise<T[]> =>
      StreamExecutionEnvironment.createLocalEnvironment(3).fromSource(FileSource.forRecordStreamFormat<T>(f, p).setSplitSize(64 * 1024).build(), WatermarkStrategy.noWatermarks(), 'src').executeAndCollect();
    const rows = await read(fmt, csv);
    expect(rows.length).toBe(n);
    rows.sort((a, b) => (a['id'] as number) - (b['id'] as number));
    rows.forEach((r, i) => expect(r).toEqual({ id: i, w: `w ${VOCAB[i % VOCAB.length]}, "q"`, even: i % 2 === 0 }));
    const objs = await read(new JsonLinesFormat<{ i: number; w: string }>(), jsonl);
    expect(objs.map((o) => o.i).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));

    // A bad record deep in the file (in a split that starts mid-file): the line number is exact.
    csvLines[31_234] = '31234,"unterminated,true';
    await fs.writeFile(csv, csvLines.join('\n') + '\n', { overwrite: true });
    const err = await read(fmt, csv).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toContain(`CsvFormat: bad record in ${csv} at line 31235: unterminated quoted field`);
  });
});
