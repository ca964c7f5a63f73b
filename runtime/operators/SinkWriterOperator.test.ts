import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { SinkWriterOperator, WRITER_STATE_NAME, COMMITTABLES_STATE_NAME } from './SinkWriterOperator.js';
import type { StreamOperatorParameters } from './StreamOperator.js';
import { AccumulatorRegistry } from './AccumulatorRegistry.js';
import { OperatorStateStore, type OperatorStateSnapshot } from '../state/OperatorStateStore.js';
import type { MetricGroup } from '../api/functions/RuntimeContext.js';
import type { Sink } from '../api/connector/Sink.js';
import {
  FileSink, FileCommitter, BasePathBucketAssigner, DefaultRollingPolicy, OnCheckpointRollingPolicy, type FileWriterBucketState, type FileSinkCommittable,
} from '../connectors/file/FileSink.js';
import type { BulkWriterFactory } from '../connectors/file/BulkWriter.js';
import { LocalFileSystem } from '../../hdfs/index.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-sinkop-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const metrics: MetricGroup = {
  counter: () => ({ inc() {}, dec() {}, getCount: () => 0 }),
  gauge() {},
  histogram: () => ({ update() {}, getCount: () => 0, getStatistics: () => ({ min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 }) }),
  addGroup: () => metrics,
};

/** The parameters a task would hand the operator; only what a sink touches is real. */
function params(store: OperatorStateStore, checkpointingEnabled: boolean, runtimeMode: 'STREAMING' | 'BATCH' = 'STREAMING'): StreamOperatorParameters {
  return {
    output: { collect() {}, collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} },
    nodeId: 1,
    operatorName: 'Sink: FileSink',
    taskInfo: { indexOfThisSubtask: 0, numberOfParallelSubtasks: 1, maxNumberOfParallelSubtasks: 128, attemptNumber: 0, taskName: 'Sink', taskNameWithSubtasks: 'Sink (1/1)' },
    metricGroup: metrics,
    runtimeMode,
    processingTimeService: undefined as never,
    keyedStateBackend: undefined,
    keySelectors: [],
    operatorStateStore: store,
    accumulators: new AccumulatorRegistry(),
    operatorEventGateway: { sendEventToCoordinator() {} },
    autoWatermarkInterval: 0,
    mailbox: (m) => { void m(); },
    checkpointingEnabled,
  };
}

interface Harness { op: SinkWriterOperator<number>; store: OperatorStateStore }

/** setup → initializeState → open, as the task does; `restoreFrom` = the operator state of a checkpoint. */
async function start(sink: Sink<number, unknown, unknown>, opts: { checkpointing?: boolean; restoreFrom?: OperatorStateSnapshot; mode?: 'STREAMING' | 'BATCH' } = {}): Promise<Harness> {
  const store = opts.restoreFrom ? new OperatorStateStore([opts.restoreFrom]) : new OperatorStateStore();
  const op = new SinkWriterOperator<number>(sink);
  op.setup(params(store, opts.checkpointing ?? true, opts.mode));
  await op.initializeState();
  await op.open();
  return { op, store };
}

/** The task's checkpoint: snapshotState, then the store's snapshot in the same turn. */
async function checkpoint(h: Harness, checkpointId: number): Promise<OperatorStateSnapshot> {
  await h.op.snapshotState({ checkpointId, timestamp: Date.now() });
  return h.store.snapshot();
}

function feed(h: Harness, from: number, to: number): void {
  for (let i = from; i <= to; i++) h.op.processElement(i, undefined);
}

/** Every committed (visible) record under `out`, in file order; hidden files are skipped like readers do. */
function committed(out: string): number[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.name.startsWith('.') ? [] : e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  let files: string[];
  try { files = walk(out); } catch { return []; }
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '' && l !== 'END')).map(Number);
}
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const hidden = (out: string): string[] => readdirSync(out).filter((f) => f.startsWith('.'));

function rowSink(out: string, rolling = OnCheckpointRollingPolicy.build()): FileSink<number> {
  return FileSink.forRowFormat<number>(out, (n) => String(n)).withBucketAssigner(new BasePathBucketAssigner<number>()).withRollingPolicy(rolling).build();
}

describe('SinkWriterOperator with checkpointing (two-phase commit through checkpoints)', () => {
  it('records before checkpoint 1 stay invisible until notifyCheckpointComplete(1), then are visible exactly once', async () => {
    const out = join(dir, 'a');
    const h = await start(rowSink(out));
    feed(h, 1, 50);
    await checkpoint(h, 1);
    feed(h, 51, 60); // after the barrier: belongs to checkpoint 2
    expect(committed(out)).toEqual([]);
    expect(hidden(out).length).toBeGreaterThan(0); // written, but only as hidden pending/in-progress files
    await h.op.notifyCheckpointComplete(1);
    expect(sorted(committed(out))).toEqual(range(1, 50));
    await h.op.notifyCheckpointComplete(1); // a repeated notification commits nothing twice
    expect(sorted(committed(out))).toEqual(range(1, 50));
    await h.op.finish();
    expect(sorted(committed(out))).toEqual(range(1, 50)); // end of input waits for the final checkpoint
    await checkpoint(h, 2);
    await h.op.notifyCheckpointComplete(2);
    await h.op.close();
    expect(sorted(committed(out))).toEqual(range(1, 60));
    expect(readdirSync(out).filter((f) => !f.startsWith('.'))).toEqual(['part-0-0', 'part-0-1']);
  });

  it('a completed checkpoint commits only its own and earlier committables; end of input waits for a checkpoint after it', async () => {
    const out = join(dir, 'a2');
    const h = await start(rowSink(out));
    feed(h, 1, 10);
    await checkpoint(h, 1);
    feed(h, 11, 20);
    await checkpoint(h, 2);
    await h.op.notifyCheckpointComplete(1); // late notification of 1 while 2 is in flight
    expect(sorted(committed(out))).toEqual(range(1, 10));
    feed(h, 21, 30);
    await checkpoint(h, 3);
    await h.op.finish();
    await h.op.notifyCheckpointComplete(3); // covers 1 and 2 as well
    expect(sorted(committed(out))).toEqual(range(1, 30));
    await h.op.close();
  });

  it('end-of-input files are not committed by the completion of a checkpoint taken before the end', async () => {
    const out = join(dir, 'a3');
    const h = await start(rowSink(out));
    feed(h, 1, 10);
    await checkpoint(h, 1);
    feed(h, 11, 20);
    await h.op.finish();
    await h.op.notifyCheckpointComplete(1);
    expect(sorted(committed(out))).toEqual(range(1, 10));
    // The final checkpoint completes; commits even if the task skipped snapshotState on the finished operator.
    await h.op.notifyCheckpointComplete(2);
    expect(sorted(committed(out))).toEqual(range(1, 20));
    await h.op.close();
  });

  it('a killed subtask restored from checkpoint 2 commits every record exactly once, incl. the in-progress file written across checkpoints', async () => {
    const out = join(dir, 'b');
    // Default policy: the in-progress file stays open across checkpoints (resumable); 600 bytes rolls files by size.
    const sink = (): FileSink<number> => rowSink(out, DefaultRollingPolicy.builder().withMaxPartSize(600).build());
    const h1 = await start(sink());
    feed(h1, 1, 200);
    await checkpoint(h1, 1);
    await h1.op.notifyCheckpointComplete(1);
    const afterCp1 = committed(out).length;
    expect(afterCp1).toBeGreaterThan(0);
    expect(afterCp1).toBeLessThan(200); // the open file's records are not committed yet
    feed(h1, 201, 450);
    const snap2 = await checkpoint(h1, 2);
    const restored = new OperatorStateStore([snap2]);
    // Files rolled between the checkpoints wait in the state for checkpoint 2's commit ...
    const held = restored.getListState<{ checkpointId: number }>({ name: COMMITTABLES_STATE_NAME } as never).get();
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((x) => x.checkpointId === 2)).toBe(true);
    // ... and the in-progress file survived the checkpoint: the state records how much of it is durable.
    const [ws] = restored.getListState<FileWriterBucketState>({ name: WRITER_STATE_NAME } as never).get();
    const inProgress = ws!.inProgress!;
    expect(inProgress).not.toBeNull();
    expect(statSync(inProgress.pendingPath).size).toBe(inProgress.length);
    // Written after checkpoint 2, then the process dies: no close, and notifyCheckpointComplete(2) never arrives.
    feed(h1, 451, 470);
    await new Promise((r) => setTimeout(r, 100)); // let those bytes reach the disk: the worst case for the restore
    expect(statSync(inProgress.pendingPath).size).toBeGreaterThan(inProgress.length);

    // Restore from checkpoint 2 (it completed); the source replays what came after it.
    const h2 = await start(sink(), { restoreFrom: snap2 });
    expect(statSync(inProgress.pendingPath).size).toBe(inProgress.length); // cut back to the checkpoint
    expect(committed(out).length).toBeGreaterThan(afterCp1); // checkpoint 2's files committed on restore
    feed(h2, 451, 600);
    await h2.op.finish();
    await checkpoint(h2, 3);
    await h2.op.notifyCheckpointComplete(3);
    await h2.op.close();
    const got = committed(out);
    expect(got.length).toBe(600);
    expect(sorted(got)).toEqual(range(1, 600));
    // Part names never collide: every committed name is unique and the resumed file keeps its name.
    const names = readdirSync(out).filter((f) => !f.startsWith('.'));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(inProgress.finalPath.slice(out.length + 1));
    await h1.op.close(); // only now: releases the killed writer's file handles
  });

  it('restored committables that were committed already commit again without error or duplicate', async () => {
    const out = join(dir, 'c');
    const h1 = await start(rowSink(out));
    feed(h1, 1, 30);
    const snap1 = await checkpoint(h1, 1);
    await h1.op.notifyCheckpointComplete(1); // committed, then the subtask dies before the next checkpoint
    feed(h1, 31, 40);
    expect(sorted(committed(out))).toEqual(range(1, 30));

    const h2 = await start(rowSink(out), { restoreFrom: snap1 }); // commits checkpoint 1's files again
    expect(sorted(committed(out))).toEqual(range(1, 30));
    feed(h2, 31, 40);
    await h2.op.finish();
    await checkpoint(h2, 2);
    await h2.op.notifyCheckpointComplete(2);
    await h2.op.close();
    expect(sorted(committed(out))).toEqual(range(1, 40));

    // A third restore from the same checkpoint: still nothing twice.
    const h3 = await start(rowSink(out), { restoreFrom: snap1 });
    await h3.op.close();
    expect(committed(out).length).toBe(40);
    await h1.op.close();
  });

  it('a commit interrupted between link and unlink (local rename) completes on the retry', async () => {
    const out = join(dir, 'c2');
    const fs = new LocalFileSystem();
    await fs.writeFile(join(out, '.part-0-0.inprogress.x'), '1\n2\n');
    const c: FileSinkCommittable = { pendingPath: join(out, '.part-0-0.inprogress.x'), finalPath: join(out, 'part-0-0') };
    linkSync(c.pendingPath, c.finalPath); // the crash left both names
    await new FileCommitter(fs).commit([c]);
    expect(readdirSync(out)).toEqual(['part-0-0']);
    await new FileCommitter(fs).commit([c]); // and once more: already committed
    expect(readFileSync(c.finalPath, 'utf8')).toBe('1\n2\n');
    // A different file under the final name is a clash, not an earlier commit: never deleted.
    const other: FileSinkCommittable = { pendingPath: join(out, '.part-0-1.inprogress.y'), finalPath: join(out, 'part-0-1') };
    await fs.writeFile(other.pendingPath, '3\n4\n');
    await fs.writeFile(other.finalPath, '5\n6\n');
    await expect(new FileCommitter(fs).commit([other])).rejects.toThrow(/a different file .*part-0-1 exists already/);
    expect(readFileSync(other.pendingPath, 'utf8')).toBe('3\n4\n');
    await expect(new FileCommitter(fs).commit([{ pendingPath: join(out, '.gone'), finalPath: join(out, 'gone') }])).rejects.toThrow(/neither it nor its pending file/);
  });

  it("an aborted checkpoint's committables are committed with the next completed checkpoint", async () => {
    const out = join(dir, 'd');
    const h = await start(rowSink(out));
    feed(h, 1, 10);
    await checkpoint(h, 1);
    await h.op.notifyCheckpointAborted(1);
    expect(committed(out)).toEqual([]);
    feed(h, 11, 20);
    const snap2 = await checkpoint(h, 2);
    // Checkpoint 2 carries checkpoint 1's committables too, so a restore from it would commit them.
    const held = new OperatorStateStore([snap2]).getListState<{ checkpointId: number }>({ name: COMMITTABLES_STATE_NAME } as never).get();
    expect(held.map((x) => x.checkpointId)).toEqual([1, 2]);
    expect(committed(out)).toEqual([]);
    await h.op.notifyCheckpointComplete(2);
    expect(sorted(committed(out))).toEqual(range(1, 20));
    await h.op.close();
  });

  it('a bulk format rolls on every checkpoint (its trailer completes each part file), even with no in-progress state', async () => {
    const out = join(dir, 'e');
    const factory: BulkWriterFactory<number> = {
      create(s: Writable) {
        return { addElement: (n: number) => { s.write(`${n}\n`); }, flush: async () => {}, finish: async () => { s.write('END\n'); } };
      },
    };
    const h = await start(FileSink.forBulkFormat<number>(out, factory).withBucketAssigner(new BasePathBucketAssigner<number>()));
    feed(h, 1, 5);
    const snap1 = await checkpoint(h, 1);
    const ws = new OperatorStateStore([snap1]).getListState<FileWriterBucketState>({ name: WRITER_STATE_NAME } as never).get();
    expect(ws.every((s) => s.inProgress === null)).toBe(true);
    await h.op.notifyCheckpointComplete(1);
    expect(readFileSync(join(out, 'part-0-0'), 'utf8')).toBe('1\n2\n3\n4\n5\nEND\n');
    feed(h, 6, 8);
    await checkpoint(h, 2);
    await h.op.notifyCheckpointComplete(2);
    expect(readFileSync(join(out, 'part-0-1'), 'utf8')).toBe('6\n7\n8\nEND\n');
    await h.op.close();
  });
});

describe('SinkWriterOperator without checkpointing', () => {
  for (const mode of ['STREAMING', 'BATCH'] as const) {
    it(`${mode}: commits everything at the end of input`, async () => {
      const out = join(dir, `f-${mode}`);
      const h = await start(rowSink(out, DefaultRollingPolicy.builder().build()), { checkpointing: false, mode });
      feed(h, 1, 100);
      expect(committed(out)).toEqual([]);
      await h.op.finish();
      expect(sorted(committed(out))).toEqual(range(1, 100));
      await h.op.close();
      expect(committed(out).length).toBe(100);
    });
  }
});
