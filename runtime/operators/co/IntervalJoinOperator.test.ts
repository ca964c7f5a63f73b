import { describe, it, expect } from 'vitest';
import { IntervalJoinOperator } from './IntervalJoinOperator.js';
import { TwoInputStreamOperatorTestHarness } from '../../testing/TwoInputStreamOperatorTestHarness.js';
import type { OperatorSnapshot } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { ProcessJoinFunctionLike } from '../../api/functions/JoinFunctions.js';
import { OutputTag } from '../../api/functions/Collector.js';

// Ported from Flink's IntervalJoinOperatorTest (parameterized by which side is faster).
type Elem = { key: string; ts: number; source: 'lhs' | 'rhs' };
type Pair = [Elem, Elem];
const elem = (ts: number, source: 'lhs' | 'rhs'): Elem => ({ key: 'key', ts, source });
const passthrough: ProcessJoinFunctionLike<Elem, Elem, Pair> = { processElement: (l, r, _ctx, out) => out.collect([l, r]) };

function harness(lower: number, lowerInc: boolean, upper: number, upperInc: boolean, fn = passthrough, restore?: OperatorSnapshot, late?: [OutputTag<Elem>, OutputTag<Elem>]) {
  const op = new IntervalJoinOperator<string, Elem, Elem, Pair>({
    lowerBound: lower, upperBound: upper, lowerBoundInclusive: lowerInc, upperBoundInclusive: upperInc,
    leftLateDataOutputTag: late?.[0], rightLateDataOutputTag: late?.[1],
  }, fn);
  const h = new TwoInputStreamOperatorTestHarness<Elem, Elem>(op, (e) => e.key, (e) => e.key, {}, restore);
  return { op, h };
}

/** The records as (lhs ts, rhs ts) @ timestamp, sorted, with the rule that each carries max(lhs, rhs). */
function records(h: TwoInputStreamOperatorTestHarness<Elem, Elem>): string[] {
  return h.getOutput().filter((o) => o.kind === 'record').map((o) => {
    const [l, r] = (o as { value: Pair }).value;
    expect(l.source).toBe('lhs'); expect(r.source).toBe('rhs');
    return `${l.ts},${r.ts}@${String((o as { timestamp: number }).timestamp)}`;
  }).sort();
}
const expected = (...pairs: [number, number][]): string[] => pairs.map(([l, r]) => `${l},${r}@${Math.max(l, r)}`).sort();

/** Flink's assertNoLateRecords: no record behind a watermark emitted before it. */
function noLateRecords(h: TwoInputStreamOperatorTestHarness<Elem, Elem>): void {
  let wm = Number.MIN_SAFE_INTEGER;
  for (const o of h.getOutput()) {
    if (o.kind === 'watermark') wm = o.timestamp;
    else if (o.kind === 'record') expect(o.timestamp!).toBeGreaterThan(wm);
  }
}

async function elementsAndWatermarks(h: TwoInputStreamOperatorTestHarness<Elem, Elem>, lhsFaster: boolean, from = 1, to = 4): Promise<void> {
  const left = (): void => { for (let i = from; i <= to; i++) { h.processElement1(elem(i, 'lhs'), i); h.processWatermark1(i); } };
  const right = (): void => { for (let i = from; i <= to; i++) { h.processElement2(elem(i, 'rhs'), i); h.processWatermark2(i); } };
  if (lhsFaster) { left(); right(); } else { right(); left(); }
}

async function expectJoin(lower: number, lowerInc: boolean, upper: number, upperInc: boolean, lhsFaster: boolean, pairs: [number, number][]): Promise<void> {
  const { h } = harness(lower, lowerInc, upper, upperInc);
  await h.open();
  await elementsAndWatermarks(h, lhsFaster);
  expect(records(h)).toEqual(expected(...pairs));
  noLateRecords(h);
  await h.close();
}

describe.each([true, false])('IntervalJoinOperatorTest (lhs faster than rhs: %s)', (lhsFaster) => {
  it('testImplementationMirrorsCorrectly', async () => {
    await expectJoin(1, true, 3, false, lhsFaster, [[1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]);
    await expectJoin(-3, false, -1, true, lhsFaster, [[2, 1], [3, 1], [3, 2], [4, 2], [4, 3]]);
  });

  it('testNegativeInclusiveAndNegativeInclusive', () => expectJoin(-2, true, -1, true, lhsFaster, [[2, 1], [3, 1], [3, 2], [4, 2], [4, 3]]));
  it('testNegativeInclusiveAndPositiveInclusive', () => expectJoin(-1, true, 1, true, lhsFaster,
    [[1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4]]));
  it('testPositiveInclusiveAndPositiveInclusive', () => expectJoin(1, true, 2, true, lhsFaster, [[1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]));
  it('testNegativeExclusiveAndNegativeExlusive', () => expectJoin(-3, false, -1, false, lhsFaster, [[3, 1], [4, 2]]));
  it('testNegativeExclusiveAndPositiveExlusive', () => expectJoin(-1, false, 1, false, lhsFaster, [[1, 1], [2, 2], [3, 3], [4, 4]]));
  it('testPositiveExclusiveAndPositiveExlusive', () => expectJoin(1, false, 3, false, lhsFaster, [[1, 3], [2, 4]]));

  it('testContextCorrectLeftTimestamp / RightTimestamp / testReturnsCorrectTimestamp', async () => {
    const seen: string[] = [];
    const { h } = harness(-1, true, 1, true, {
      processElement(l, r, ctx) {
        expect(ctx.getLeftTimestamp()).toBe(l.ts);
        expect(ctx.getRightTimestamp()).toBe(r.ts);
        expect(ctx.getTimestamp()).toBe(Math.max(l.ts, r.ts));
        seen.push(`${l.ts},${r.ts}`);
      },
    });
    await h.open();
    await elementsAndWatermarks(h, lhsFaster);
    expect(seen).toHaveLength(10);
    await h.close();
  });
});

describe('IntervalJoinOperatorTest', () => {
  /** Fills both buffers with 1..5, then checks what the watermarks 1, 4 and 6 leave in them. */
  async function cleanup(lower: number, lowerInc: boolean, upper: number, upperInc: boolean, after1: [number[], number[]], after4: [number[], number[]]): Promise<void> {
    const { op, h } = harness(lower, lowerInc, upper, upperInc);
    await h.open();
    for (let i = 1; i <= 5; i++) h.processElement1(elem(i, 'lhs'), i);
    for (let i = 1; i <= 5; i++) h.processElement2(elem(i, 'rhs'), i);
    const buffers = (): [number[], number[]] => {
      h.keyedStateBackend!.setCurrentKey('key');
      return [op.leftBufferTimestamps().sort((a, b) => a - b), op.rightBufferTimestamps().sort((a, b) => a - b)];
    };
    h.processWatermark1(1); h.processWatermark2(1);
    expect(buffers()).toEqual(after1);
    h.processWatermark1(4); h.processWatermark2(4);
    expect(buffers()).toEqual(after4);
    h.processWatermark1(6); h.processWatermark2(6);
    expect(buffers()).toEqual([[], []]);
    expect(h.keyedStateBackend!.numKeys('LEFT_BUFFER') + h.keyedStateBackend!.numKeys('RIGHT_BUFFER')).toBe(0);
    await h.close();
  }

  it('testStateCleanupNegativeInclusiveNegativeInclusive', () => cleanup(-1, true, 0, true, [[2, 3, 4, 5], [1, 2, 3, 4, 5]], [[5], [4, 5]]));
  it('testStateCleanupNegativePositiveNegativeExlusive', () => cleanup(-2, false, 1, false, [[2, 3, 4, 5], [1, 2, 3, 4, 5]], [[5], [4, 5]]));
  it('testStateCleanupPositiveInclusivePositiveInclusive', () => cleanup(0, true, 1, true, [[1, 2, 3, 4, 5], [2, 3, 4, 5]], [[4, 5], [5]]));
  it('testStateCleanupPositiveExlusivePositiveExclusive', () => cleanup(-1, false, 2, false, [[1, 2, 3, 4, 5], [2, 3, 4, 5]], [[4, 5], [5]]));

  it('testRestoreFromSnapshot', async () => {
    const first = harness(-1, true, 1, true).h;
    await first.open();
    for (let i = 1; i <= 3; i++) {
      first.processElement1(elem(i, 'lhs'), i); first.processWatermark1(i);
      first.processElement2(elem(i, 'rhs'), i); first.processWatermark2(i);
    }
    const snap = await first.snapshot(0);
    expect(records(first)).toEqual(expected([1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3]));
    noLateRecords(first);
    await first.close();

    const second = harness(-1, true, 1, true, passthrough, snap).h;
    await second.open();
    second.processElement1(elem(4, 'lhs'), 4); second.processWatermark1(4);
    second.processElement2(elem(4, 'rhs'), 4); second.processWatermark2(4);
    expect(records(second)).toEqual(expected([3, 4], [4, 3], [4, 4]));
    noLateRecords(second);
    // The restored cleanup timers still fire: everything is gone after a late enough watermark.
    second.processWatermark1(10); second.processWatermark2(10);
    expect(second.keyedStateBackend!.numKeys('LEFT_BUFFER') + second.keyedStateBackend!.numKeys('RIGHT_BUFFER')).toBe(0);
    await second.close();
  });

  it('testFailsWithNoTimestampsLeft / Right', async () => {
    const { h } = harness(0, true, 0, true);
    await h.open();
    expect(() => h.processElement1(elem(0, 'lhs'))).toThrow(/need to have meaningful timestamps/);
    expect(() => h.processElement2(elem(0, 'rhs'))).toThrow(/right input has no timestamp/);
    await h.close();
  });

  it('testDiscardsLateData', async () => {
    const { h } = harness(-1, true, 1, true);
    await h.open();
    for (let i = 1; i <= 3; i++) { h.processElement1(elem(i, 'lhs'), i); h.processElement2(elem(i, 'rhs'), i); }
    h.processWatermark1(3); h.processWatermark2(3);
    h.processElement1(elem(1, 'lhs'), 1); // late: not joined again
    h.processElement1(elem(4, 'lhs'), 4); h.processElement2(elem(4, 'rhs'), 4);
    h.processElement1(elem(5, 'lhs'), 5); h.processElement2(elem(5, 'rhs'), 5);
    expect(records(h)).toEqual(expected([1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4], [4, 5], [5, 4], [5, 5]));
    noLateRecords(h);
    await h.close();
  });

  it('testLateData with side outputs for the left and the right input', async () => {
    const lt = new OutputTag<Elem>('left-late'), rt = new OutputTag<Elem>('right-late');
    const { h } = harness(-1, true, 1, true, passthrough, undefined, [lt, rt]);
    await h.open();
    h.processElement1(elem(3, 'lhs'), 3); h.processElement2(elem(3, 'rhs'), 3);
    h.processWatermark1(3); h.processWatermark2(3);
    h.processElement1(elem(1, 'lhs'), 1);
    h.processElement2(elem(2, 'rhs'), 2);
    h.processElement2(elem(3, 'rhs'), 3); // at the watermark: not late
    expect(h.sideOutputs.get('left-late')).toEqual([{ value: elem(1, 'lhs'), timestamp: 1 }]);
    expect(h.sideOutputs.get('right-late')).toEqual([{ value: elem(2, 'rhs'), timestamp: 2 }]);
    expect(records(h)).toEqual(expected([3, 3], [3, 3]));
    await h.close();
  });

  it('ctx.output emits with the result timestamp; bounds are checked', async () => {
    const tag = new OutputTag<string>('side');
    const { h } = harness(0, true, 5, true, { processElement: (l, r, ctx) => ctx.output(tag, `${l.ts}-${r.ts}`) });
    await h.open();
    h.processElement1(elem(2, 'lhs'), 2); h.processElement2(elem(6, 'rhs'), 6);
    expect(h.sideOutputs.get('side')).toEqual([{ value: '2-6', timestamp: 6 }]);
    await h.close();
    expect(() => harness(2, true, 1, true)).toThrow(/lowerBound <= upperBound must be fulfilled/);
    expect(() => harness(0.5, true, 1, true)).toThrow(/whole number of milliseconds/);
  });
});
