import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource, type FileSourceSplit } from './FileSource.js';
import { TextLineFormat } from './TextLineFormat.js';
import type { SourceReaderContext, SplitEnumeratorContext, ReaderOutput } from '../../api/connector/Source.js';
import { unregisteredTaskManagerMetricGroup } from '../../metrics/index.js';

// Checkpointed positions (Flink's FileSource checkpoint tests): a reader restored from its snapshot
// continues after the last record it emitted; a restored enumerator does not discover its files again.
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readerCtx = (): SourceReaderContext => ({ getIndexOfSubtask: () => 0, currentParallelism: () => 1, sendSplitRequest: () => {}, sendSourceEventToCoordinator: () => {}, metricGroup: () => unregisteredTaskManagerMetricGroup() as never });

async function pollUntil(reader: ReturnType<FileSource<string>['createReader']>, out: string[], limit: number): Promise<void> {
  const output: ReaderOutput<string> = { collect: (r) => { out.push(r); } };
  while (out.length < limit) {
    const s = reader.pollNext(output);
    if (s === 'END_OF_INPUT') return;
    if (s === 'NOTHING_AVAILABLE') await reader.isAvailable();
  }
}

describe('FileSource checkpoints', () => {
  it('a reader restored from a mid-split snapshot emits every remaining line once, none twice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-filesource-'));
    const file = join(dir, 'lines.txt');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), file).build();
    const split: FileSourceSplit = { splitId: '0', path: file, start: 0, end: 5000 * 10, fileLength: Buffer.byteLength(lines.join('\n') + '\n') };
    split.end = split.fileLength;
    const first = source.createReader(readerCtx());
    first.addSplits([split]);
    const out: string[] = [];
    await pollUntil(first, out, 1500); // whole batches: more than 1024, fewer than all
    const snapshot = first.snapshotState(1);
    await first.close();
    expect(snapshot).toHaveLength(1);
    expect((snapshot[0] as FileSourceSplit & { recordsToSkip?: number }).recordsToSkip).toBe(out.length);
    const second = source.createReader(readerCtx());
    second.addSplits(snapshot);
    second.notifyNoMoreSplits();
    await pollUntil(second, out, Infinity);
    expect(out).toEqual(lines);
  });

  it('a restored enumerator hands out only the splits it had left, and discovers no file again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-filesource-'));
    for (const f of ['a', 'b']) writeFileSync(join(dir, f), 'x\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    const assigned: string[] = [];
    let noMore = 0;
    const ctx: SplitEnumeratorContext<FileSourceSplit> = {
      currentParallelism: () => 1, registeredReaders: () => new Set([0]),
      assignSplit: (s) => { assigned.push(s.path); }, signalNoMoreSplits: () => { noMore++; }, sendEventToSourceReader: () => {},
    };
    const en = source.createEnumerator(ctx);
    await en.start();
    await en.handleSplitRequest(0);
    const one = en.snapshotState(1); // one split left
    await en.handleSplitRequest(0);
    const none = en.snapshotState(2); // every split assigned
    const r1 = source.restoreEnumerator(ctx, one);
    await r1.start();
    await r1.handleSplitRequest(0);
    await r1.handleSplitRequest(0);
    expect(assigned).toHaveLength(3);
    expect(assigned[2]).toBe(assigned[1]);
    expect(noMore).toBe(1);
    const r2 = source.restoreEnumerator(ctx, none);
    await r2.start();
    await r2.handleSplitRequest(0);
    expect(assigned).toHaveLength(3); // nothing discovered again
    expect(noMore).toBe(2);
  });
});
