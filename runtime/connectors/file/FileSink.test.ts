import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileSink, FileSinkWriter, FileCommitter, BasePathBucketAssigner, DefaultRollingPolicy, OnCheckpointRollingPolicy, OutputFileConfig,
  type BucketAssigner, type FileWriterBucketState, type RollingPolicy,
} from './FileSink.js';
import type { SinkWriterContext, WriterInitContext } from '../../api/connector/Sink.js';
import { LocalFileSystem, type FileSystem } from '../../../hdfs/index.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-filesink-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const initCtx = (subtask = 0): WriterInitContext => ({
  getTaskInfo: () => ({ indexOfThisSubtask: subtask, numberOfParallelSubtasks: 2, maxNumberOfParallelSubtasks: 128, attemptNumber: 0, taskName: 'Sink', taskNameWithSubtasks: `Sink (${subtask + 1}/2)` }),
  metricGroup: () => { throw new Error('unused'); },
  runtimeMode: () => 'STREAMING',
});
const wctx: SinkWriterContext = { timestamp: () => null, currentWatermark: () => Number.MIN_SAFE_INTEGER };
const line = (n: number): string => `row-${n}`;

function rowSink(out: string, rolling: RollingPolicy = DefaultRollingPolicy.builder().build()): FileSink<number> {
  return FileSink.forRowFormat<number>(out, line).withBucketAssigner(new BasePathBucketAssigner<number>()).withRollingPolicy(rolling).build();
}
function write(w: FileSinkWriter<number>, from: number, to: number): void { for (let i = from; i <= to; i++) w.write(i, wctx); }
const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${line(from + i)}\n`).join('');

/** A checkpoint as SinkWriterOperator drives it: flush(false), prepareCommit, snapshotState. */
async function checkpoint(w: FileSinkWriter<number>, id: number): Promise<{ committables: Awaited<ReturnType<FileSinkWriter<number>['prepareCommit']>>; state: FileWriterBucketState[] }> {
  w.flush(false);
  const committables = await w.prepareCommit();
  const state = await w.snapshotState(id);
  return { committables, state };
}

describe('FileSinkWriter checkpoints (row format)', () => {
  it('DefaultRollingPolicy keeps the in-progress file open across checkpoints; its durable length goes into the state', async () => {
    const out = join(dir, 'keep');
    const w = rowSink(out).createWriter(initCtx());
    write(w, 1, 10);
    const cp1 = await checkpoint(w, 1);
    expect(cp1.committables).toEqual([]); // nothing rolled
    expect(cp1.state).toHaveLength(1);
    const ip = cp1.state[0]!.inProgress!;
    expect(ip.pendingPath).toMatch(/\/\.part-0-0\.inprogress\.[0-9a-f-]{36}$/);
    expect(ip.finalPath).toBe(join(out, 'part-0-0'));
    expect(ip.length).toBe(Buffer.byteLength(lines(1, 10)));
    expect(readFileSync(ip.pendingPath, 'utf8')).toBe(lines(1, 10)); // durable at the checkpoint
    expect(cp1.state[0]!.partCounter).toBe(1);

    write(w, 11, 20);
    const cp2 = await checkpoint(w, 2);
    expect(cp2.state[0]!.inProgress!.pendingPath).toBe(ip.pendingPath); // the same file, appended to
    expect(cp2.state[0]!.inProgress!.length).toBe(Buffer.byteLength(lines(1, 20)));

    w.flush(true);
    const end = await w.prepareCommit(); // end of input rolls it
    expect(end).toEqual([{ pendingPath: ip.pendingPath, finalPath: ip.finalPath }]);
    await new FileCommitter(new LocalFileSystem()).commit(end);
    expect(readFileSync(ip.finalPath, 'utf8')).toBe(lines(1, 20));
    await w.close();
  });

  it('records written while the checkpoint persists the file land after the recorded length, in order', async () => {
    const out = join(dir, 'interleave');
    const w = rowSink(out).createWriter(initCtx());
    write(w, 1, 5);
    await w.prepareCommit();
    const snap = w.snapshotState(1); // not awaited: the stream is still closing
    write(w, 6, 9);
    const [s] = await snap;
    expect(s!.inProgress!.length).toBe(Buffer.byteLength(lines(1, 5)));
    w.flush(true);
    const [c] = await w.prepareCommit();
    expect(readFileSync(c!.pendingPath, 'utf8')).toBe(lines(1, 9));
    await w.close();
  });

  it('a restored writer truncates the in-progress file to the checkpoint, appends to it and continues the part counter', async () => {
    const out = join(dir, 'restore');
    const sink = rowSink(out, DefaultRollingPolicy.builder().withMaxPartSize(Buffer.byteLength(lines(1, 10))).build());
    const w1 = sink.createWriter(initCtx());
    write(w1, 1, 10); // exactly the size limit: part-0-0 rolls
    write(w1, 11, 15); // part-0-1, in progress
    const cp = await checkpoint(w1, 7);
    expect(cp.committables.map((c) => c.finalPath)).toEqual([join(out, 'part-0-0')]);
    const ip = cp.state[0]!.inProgress!;
    expect(ip.finalPath).toBe(join(out, 'part-0-1'));
    write(w1, 16, 30); // after the checkpoint: rolls part-0-1 and writes part-0-2 and part-0-3, then the writer dies
    await w1.close(); // (its bytes on disk, as after a kill once the OS wrote them)
    expect(statSync(ip.pendingPath).size).toBeGreaterThan(ip.length);
    const known = new Set([ip.pendingPath, ...cp.committables.map((c) => c.pendingPath)]);
    const orphans = readdirSync(out).filter((f) => f.startsWith('.') && !known.has(join(out, f)));
    expect(orphans.map((f) => f.replace(/inprogress\..*/, ''))).toEqual(['.part-0-2.', '.part-0-3.']);

    const w2 = await sink.restoreWriter(initCtx(), cp.state);
    expect(readFileSync(ip.pendingPath, 'utf8')).toBe(lines(11, 15));
    write(w2, 16, 30);
    w2.flush(true);
    const end = await w2.prepareCommit();
    await new FileCommitter(new LocalFileSystem()).commit([...cp.committables, ...end]);
    const visible = readdirSync(out).filter((f) => !f.startsWith('.')).sort();
    expect(visible).toEqual(['part-0-0', 'part-0-1', 'part-0-2', 'part-0-3']); // the counter went on from the checkpoint's 2
    expect(visible.map((f) => readFileSync(join(out, f), 'utf8')).join('')).toBe(lines(1, 30));
    // Flink leaves in-progress files the checkpoint never saw: hidden, never committed.
    expect(readdirSync(out).filter((f) => f.startsWith('.')).sort()).toEqual(orphans.sort());
    await w2.close();
  });

  it('restoring several states (rescale) takes the highest counter and completes the extra in-progress file of a bucket', async () => {
    const out = join(dir, 'merge');
    const a = rowSink(out).createWriter(initCtx(0));
    const b = rowSink(out).createWriter(initCtx(1));
    write(a, 1, 3);
    write(b, 4, 6);
    write(b, 7, 7);
    const [sa, sb] = [await checkpoint(a, 1), await checkpoint(b, 1)];
    await a.close();
    await b.close();
    const states = [...sa.state, { ...sb.state[0]!, partCounter: 5 }];
    const w = await rowSink(out).restoreWriter(initCtx(0), states);
    const first = await w.prepareCommit(); // the second file of the same bucket is complete now
    expect(first.map((c) => c.finalPath)).toEqual([join(out, 'part-1-0')]);
    write(w, 8, 9);
    w.flush(true);
    const end = await w.prepareCommit();
    expect(end.map((c) => c.finalPath)).toEqual([join(out, 'part-0-0')]);
    await new FileCommitter(new LocalFileSystem()).commit([...first, ...end]);
    expect(readFileSync(join(out, 'part-0-0'), 'utf8')).toBe(lines(1, 3) + lines(8, 9));
    expect(readFileSync(join(out, 'part-1-0'), 'utf8')).toBe(lines(4, 7));
    // The next new part file uses the highest restored counter.
    write(w, 10, 10);
    w.flush(true);
    expect((await w.prepareCommit()).map((c) => c.finalPath)).toEqual([join(out, 'part-0-5')]);
    await w.close();
  });

  it('OnCheckpointRollingPolicy rolls every in-progress file on a checkpoint, per bucket', async () => {
    const out = join(dir, 'oncp');
    const byParity: BucketAssigner<number> = { getBucketId: (n) => (n % 2 === 0 ? 'even' : 'odd') };
    const w = FileSink.forRowFormat<number>(out, line).withBucketAssigner(byParity).withRollingPolicy(OnCheckpointRollingPolicy.build())
      .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('p').withPartSuffix('.txt').build()).build().createWriter(initCtx());
    write(w, 1, 4);
    const cp = await checkpoint(w, 1);
    expect(cp.committables.map((c) => c.finalPath).sort()).toEqual([join(out, 'even', 'p-0-1.txt'), join(out, 'odd', 'p-0-0.txt')]);
    expect(cp.state).toEqual([{ partCounter: 2, bucketId: null, inProgress: null }]);
    await new FileCommitter(new LocalFileSystem()).commit(cp.committables);
    expect(readFileSync(join(out, 'odd', 'p-0-0.txt'), 'utf8')).toBe(`${line(1)}\n${line(3)}\n`);
    await w.close();
  });

  it('on a file system without truncate the row file rolls on every checkpoint instead (it could not be resumed)', async () => {
    const out = join(dir, 'notrunc');
    const local = new LocalFileSystem();
    const noTruncate: FileSystem = {
      scheme: 'file', open: (p, o) => local.open(p, o), create: (p, o) => local.create(p, o), append: (p) => local.append(p), readFile: (p) => local.readFile(p),
      writeFile: (p, d, o) => local.writeFile(p, d, o), mkdirs: (p) => local.mkdirs(p), rename: (s, d) => local.rename(s, d), delete: (p, r) => local.delete(p, r),
      listStatus: (p) => local.listStatus(p), getFileStatus: (p) => local.getFileStatus(p), exists: (p) => local.exists(p),
    };
    const w = new FileSinkWriter<number>(noTruncate, out, line, new BasePathBucketAssigner<number>(), DefaultRollingPolicy.builder().build(), { partPrefix: 'part', partSuffix: '' }, 0);
    write(w, 1, 3);
    const cp = await checkpoint(w, 1);
    expect(cp.committables.map((c) => c.finalPath)).toEqual([join(out, 'part-0-0')]);
    expect(cp.state[0]!.inProgress).toBeNull();
    await w.close();
  });

  it('a state whose in-progress file is gone fails the restore with the path', async () => {
    const out = join(dir, 'gone');
    const state: FileWriterBucketState[] = [{ partCounter: 1, bucketId: '', inProgress: { pendingPath: join(out, '.part-0-0.inprogress.x'), finalPath: join(out, 'part-0-0'), length: 3, creationTime: 0 } }];
    await expect(rowSink(out).restoreWriter(initCtx(), state)).rejects.toThrow(/cannot resume in-progress part file .*\.part-0-0\.inprogress\.x at 3 bytes/);
  });
});

describe('LocalFileSystem.truncate', () => {
  it('shortens a file and refuses to lengthen it (HDFS semantics, no zero padding)', async () => {
    const f = join(dir, 't.txt');
    writeFileSync(f, 'abcdef');
    const fs = new LocalFileSystem();
    await fs.truncate(f, 6);
    await fs.truncate(f, 2);
    expect(readFileSync(f, 'utf8')).toBe('ab');
    await expect(fs.truncate(f, 5)).rejects.toThrow(/cannot truncate to 5 bytes, the file has only 2/);
    await expect(fs.truncate(join(dir, 'missing'), 0)).rejects.toThrow(/no such file/);
  });
});
