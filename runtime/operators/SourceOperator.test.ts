import { describe, it, expect } from 'vitest';
import { SourceOperator, type SourceOperatorEvent } from './SourceOperator.js';
import { OneInputStreamOperatorTestHarness, type HarnessOutput } from '../testing/OneInputStreamOperatorTestHarness.js';
import type { Source, SourceReader, ReaderOutput, InputStatus, SplitEnumerator } from '../api/connector/Source.js';
import { WatermarkStrategy, WatermarksWithIdleness, BoundedOutOfOrdernessWatermarks, MAX_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

// Flink's SourceOperatorWatermarksTest / SourceOperatorAlignmentTest ideas: a scripted reader emits
// records per split, processing time is moved by hand, and the emitted watermarks, statuses and
// coordinator events are checked.

interface Ev { split?: string; ts: number }

class ScriptedReader implements SourceReader<Ev, { splitId: string }> {
  readonly next: Ev[] = [];
  readonly releases: string[] = [];
  readonly pauseCalls: Array<[string[], string[]]> = [];
  polls = 0;
  constructor(private readonly splitPausing: boolean) {
    if (!splitPausing) delete (this as Partial<ScriptedReader>).pauseOrResumeSplits;
  }
  start(): void {}
  pollNext(output: ReaderOutput<Ev>): InputStatus {
    this.polls++;
    for (const e of this.next.splice(0)) (e.split ? output.createOutputForSplit!(e.split) : output).collect(e);
    for (const r of this.releases.splice(0)) output.releaseOutputForSplit!(r);
    return 'MORE_AVAILABLE';
  }
  isAvailable(): Promise<void> { return Promise.resolve(); }
  addSplits(): void {}
  notifyNoMoreSplits(): void {}
  snapshotState(): Array<{ splitId: string }> { return []; }
  close(): void {}
  pauseOrResumeSplits(pause: string[], resume: string[]): void { this.pauseCalls.push([pause, resume]); }
}

function sourceOf(reader: ScriptedReader): Source<Ev, { splitId: string }> {
  const enumerator: SplitEnumerator<{ splitId: string }, null> = {
    start() {}, handleSplitRequest() {}, addSplitsBack() {}, addReader() {}, snapshotState: () => null, close() {},
  };
  return { getBoundedness: () => 'CONTINUOUS_UNBOUNDED', createReader: () => reader, createEnumerator: () => enumerator, restoreEnumerator: () => enumerator };
}

const monotonous = (): WatermarkStrategy<Ev> => WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);

async function harness(strategy: WatermarkStrategy<Ev>, splitPausing = false): Promise<{ h: OneInputStreamOperatorTestHarness<Ev>; op: SourceOperator<Ev>; reader: ScriptedReader }> {
  const reader = new ScriptedReader(splitPausing);
  const op = new SourceOperator<Ev>(sourceOf(reader), strategy);
  const h = new OneInputStreamOperatorTestHarness<Ev>(op as never, undefined, { autoWatermarkInterval: 100 });
  await h.open();
  return { h, op, reader };
}

const watermarks = (out: HarnessOutput[]): Array<number | string> =>
  out.filter((o) => o.kind !== 'record').map((o) => (o.kind === 'watermark' ? o.timestamp : o.idle ? 'IDLE' : 'ACTIVE'));

describe('SourceOperator per-split watermarks', () => {
  it('the source watermark is the minimum over its splits; a released split no longer counts', async () => {
    const { h, op, reader } = await harness(monotonous());
    reader.next.push({ split: 'A', ts: 1000 }, { split: 'B', ts: 200 });
    op.emitNext();
    h.setProcessingTime(100);
    expect(watermarks(h.getOutput())).toEqual([199]);
    reader.next.push({ split: 'B', ts: 2000 });
    op.emitNext();
    h.setProcessingTime(200);
    expect(watermarks(h.getOutput())).toEqual([199, 999]);
    reader.releases.push('A');
    op.emitNext();
    expect(watermarks(h.getOutput())).toEqual([199, 999, 1999]);
    // Records first, each with its timestamp.
    expect(h.getOutput().filter((o) => o.kind === 'record').map((o) => (o as { timestamp: number }).timestamp)).toEqual([1000, 200, 2000]);
    await h.close();
  });

  it('one generator per split: a split ahead does not make another split\'s records late', async () => {
    // With one generator for both, the watermark would be 4999 and B's 300 late.
    const { h, op, reader } = await harness(monotonous());
    reader.next.push({ split: 'A', ts: 5000 }, { split: 'B', ts: 100 });
    op.emitNext();
    h.setProcessingTime(100);
    reader.next.push({ split: 'B', ts: 300 });
    op.emitNext();
    h.setProcessingTime(200);
    expect(watermarks(h.getOutput())).toEqual([99, 299]);
    await h.close();
  });

  it('an idle split is left out of the minimum; all splits idle = the source is idle; a record makes it active again', async () => {
    let now = 0;
    const strategy = WatermarkStrategy.forGenerator<Ev>(() => new WatermarksWithIdleness<Ev>(new BoundedOutOfOrdernessWatermarks<Ev>(0), 150, () => now))
      .withTimestampAssigner((e) => e.ts);
    const { h, op, reader } = await harness(strategy);
    const tick = (t: number): void => { now = t; h.setProcessingTime(t); };
    reader.next.push({ split: 'A', ts: 1000 }, { split: 'B', ts: 200 });
    op.emitNext();
    tick(100);
    expect(watermarks(h.getOutput())).toEqual([199]);
    for (let t = 200; t <= 400; t += 100) { reader.next.push({ split: 'A', ts: 1000 + t }); op.emitNext(); tick(t); }
    // B had no records since 100: idle at 400 (150 ms after its inactivity was first seen at 200).
    expect(watermarks(h.getOutput())).toEqual([199, 1399]);
    for (let t = 500; t <= 700; t += 100) tick(t);
    expect(watermarks(h.getOutput())).toEqual([199, 1399, 'IDLE']);
    reader.next.push({ split: 'B', ts: 3000 });
    op.emitNext();
    const out = h.getOutput();
    expect(watermarks(out)).toEqual([199, 1399, 'IDLE', 'ACTIVE']);
    expect(out[out.length - 1]).toEqual({ kind: 'record', value: { split: 'B', ts: 3000 }, timestamp: 3000 });
    tick(800);
    expect(watermarks(h.getOutput())).toEqual([199, 1399, 'IDLE', 'ACTIVE', 2999]);
    await h.close();
  });

  it('the final +∞ turns an idle source active first, so downstream takes it', async () => {
    let now = 0;
    const strategy = WatermarkStrategy.forGenerator<Ev>(() => new WatermarksWithIdleness<Ev>(new BoundedOutOfOrdernessWatermarks<Ev>(0), 50, () => now));
    const { h } = await harness(strategy);
    for (const t of [100, 200, 300]) { now = t; h.setProcessingTime(t); }
    expect(watermarks(h.getOutput())).toEqual(['IDLE']);
    await h.endInput();
    expect(watermarks(h.getOutput())).toEqual(['IDLE', 'ACTIVE', MAX_WATERMARK]);
    await h.close();
  });
});

describe('SourceOperator watermark alignment (Flink SourceOperatorAlignmentTest)', () => {
  const aligned = (): WatermarkStrategy<Ev> => monotonous().withWatermarkAlignment('group-1', 100, 50);
  const reports = (h: OneInputStreamOperatorTestHarness<Ev>): number[] =>
    (h.operatorEvents as SourceOperatorEvent[]).filter((e) => e.type === 'ReportedWatermark').map((e) => (e as { watermark: number }).watermark);

  it('registers with its alignment parameters and reports its watermark every update interval', async () => {
    const { h, op, reader } = await harness(aligned());
    expect(h.operatorEvents[0]).toEqual({ type: 'ReaderRegistration', subtask: 0, alignment: { watermarkGroup: 'group-1', maxAllowedWatermarkDrift: 100, updateInterval: 50 } });
    h.setProcessingTime(50);
    expect(reports(h)).toEqual([]); // nothing before the first watermark
    reader.next.push({ ts: 1000 });
    op.emitNext();
    h.setProcessingTime(100);
    expect(reports(h)).toEqual([999]);
    await h.endInput();
    expect(reports(h)).toEqual([999, MAX_WATERMARK]);
    await h.close();
  });

  it('stops reading while its watermark is beyond the announced maximum, and resumes when the maximum passes it', async () => {
    const { h, op, reader } = await harness(aligned());
    reader.next.push({ ts: 1000 });
    op.emitNext();
    h.setProcessingTime(100);
    op.handleOperatorEvent({ type: 'WatermarkAlignment', maxWatermark: 500 });
    const polls = reader.polls;
    expect(op.emitNext()).toBe('NOTHING_AVAILABLE');
    expect(reader.polls).toBe(polls);
    expect(h.metrics.gauges.get('watermarkAlignmentDrift')!()).toBe(999 - (500 - 100));
    let resumed = false;
    const available = op.isAvailable().then(() => { resumed = true; });
    op.handleOperatorEvent({ type: 'WatermarkAlignment', maxWatermark: 900 });
    await new Promise((r) => setImmediate(r));
    expect(resumed).toBe(false);
    op.handleOperatorEvent({ type: 'WatermarkAlignment', maxWatermark: 1100 });
    await available;
    expect(op.emitNext()).toBe('MORE_AVAILABLE');
    expect(reader.polls).toBe(polls + 1);
    await h.close();
  });

  it('a reader that can pause splits pauses those ahead and resumes them later (split-level alignment)', async () => {
    const { h, op, reader } = await harness(aligned(), true);
    reader.next.push({ split: 'A', ts: 1000 }, { split: 'B', ts: 100 });
    op.emitNext();
    h.setProcessingTime(100);
    op.handleOperatorEvent({ type: 'WatermarkAlignment', maxWatermark: 500 });
    expect(reader.pauseCalls).toEqual([[['A'], []]]);
    // The source as a whole (watermark 99) is not ahead: B keeps being read.
    expect(op.emitNext()).toBe('MORE_AVAILABLE');
    op.handleOperatorEvent({ type: 'WatermarkAlignment', maxWatermark: 1500 });
    expect(reader.pauseCalls).toEqual([[['A'], []], [[], ['A']]]);
    await h.close();
  });

  it('an idle source reports +∞, so it holds no other source back', async () => {
    let now = 0;
    const strategy = WatermarkStrategy.forGenerator<Ev>(() => new WatermarksWithIdleness<Ev>(new BoundedOutOfOrdernessWatermarks<Ev>(0), 50, () => now))
      .withTimestampAssigner((e) => e.ts).withWatermarkAlignment('g', 10, 100);
    const { h, op, reader } = await harness(strategy);
    reader.next.push({ ts: 500 });
    op.emitNext();
    for (const t of [100, 200, 300, 400]) { now = t; h.setProcessingTime(t); }
    expect(reports(h)).toEqual([499, 499, MAX_WATERMARK, MAX_WATERMARK]);
    await h.close();
  });

  it('withWatermarkAlignment checks its arguments', () => {
    expect(() => monotonous().withWatermarkAlignment('', 10)).toThrow(/watermark group must be a non-empty string/);
    expect(() => monotonous().withWatermarkAlignment('g', -1)).toThrow(/maximal drift must be >= 0 ms, got -1/);
    expect(() => monotonous().withWatermarkAlignment('g', 10, 0)).toThrow(/update interval must be > 0 ms, got 0/);
    expect(monotonous().withWatermarkAlignment('g', 10).withIdleness(5).alignment).toEqual({ watermarkGroup: 'g', maxAllowedWatermarkDrift: 10, updateInterval: 1000 });
  });
});
