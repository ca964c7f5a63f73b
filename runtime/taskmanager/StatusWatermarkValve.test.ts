import { describe, it, expect } from 'vitest';
import { StatusWatermarkValve } from './StatusWatermarkValve.js';
import { MAX_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

// Flink's StatusWatermarkValveTest, case by case: after every input the output holds exactly the
// expected watermark or status and nothing else.

type Out = { wm: number } | { idle: boolean };

class ValveHarness {
  private readonly outputs: Out[] = [];
  readonly valve: StatusWatermarkValve;
  private readonly out = { emitWatermark: (wm: number) => { this.outputs.push({ wm }); }, emitWatermarkStatus: (idle: boolean) => { this.outputs.push({ idle }); } };
  constructor(channels: number) { this.valve = new StatusWatermarkValve(new Uint8Array(channels).fill(1), 1); }
  wm(w: number, ch: number): this { this.valve.inputWatermark(ch, w, this.out); return this; }
  idle(ch: number): this { this.valve.inputWatermarkStatus(ch, true, this.out); return this; }
  active(ch: number): this { this.valve.inputWatermarkStatus(ch, false, this.out); return this; }
  finished(ch: number): this { this.valve.channelFinished(ch, this.out); return this; }
  /** Flink's popLastSeenOutput, all at once. */
  pop(): Out[] { return this.outputs.splice(0); }
}

const W = (wm: number): Out => ({ wm });
const IDLE: Out = { idle: true };
const ACTIVE: Out = { idle: false };

describe('StatusWatermarkValve (Flink StatusWatermarkValveTest)', () => {
  it('testSingleInputIncreasingWatermarks', () => {
    const v = new ValveHarness(1);
    expect(v.wm(0, 0).pop()).toEqual([W(0)]);
    expect(v.wm(25, 0).pop()).toEqual([W(25)]);
  });

  it('testSingleInputDecreasingWatermarksYieldsNoOutput', () => {
    const v = new ValveHarness(1);
    expect(v.wm(25, 0).pop()).toEqual([W(25)]);
    expect(v.wm(18, 0).pop()).toEqual([]);
    expect(v.wm(42, 0).pop()).toEqual([W(42)]);
  });

  it('testSingleInputWatermarkStatusToggling', () => {
    const v = new ValveHarness(1);
    expect(v.active(0).pop()).toEqual([]); // channels start active
    expect(v.idle(0).pop()).toEqual([IDLE]);
    expect(v.idle(0).pop()).toEqual([]);
    expect(v.active(0).pop()).toEqual([ACTIVE]);
  });

  it('testSingleInputWatermarksIntactDuringIdleness', () => {
    const v = new ValveHarness(1);
    expect(v.wm(25, 0).pop()).toEqual([W(25)]);
    expect(v.idle(0).pop()).toEqual([IDLE]);
    expect(v.wm(50, 0).pop()).toEqual([]);
    expect(v.valve.channelStatus(0).watermark).toBe(25);
    expect(v.active(0).pop()).toEqual([ACTIVE]);
    expect(v.wm(50, 0).pop()).toEqual([W(50)]);
  });

  it('testMultipleInputYieldsWatermarkOnlyWhenAllChannelsReceivesWatermarks', () => {
    const v = new ValveHarness(3);
    expect(v.wm(0, 0).wm(0, 1).pop()).toEqual([]);
    expect(v.wm(0, 2).pop()).toEqual([W(0)]);
  });

  it('testMultipleInputIncreasingWatermarks', () => {
    const v = new ValveHarness(3);
    expect(v.wm(0, 0).wm(0, 1).wm(0, 2).pop()).toEqual([W(0)]);
    expect(v.wm(12, 0).wm(8, 2).wm(10, 2).pop()).toEqual([]);
    expect(v.wm(15, 1).pop()).toEqual([W(10)]);
    expect(v.wm(17, 2).pop()).toEqual([W(12)]);
    expect(v.wm(20, 0).pop()).toEqual([W(15)]);
  });

  it('testMultipleInputDecreasingWatermarksYieldsNoOutput', () => {
    const v = new ValveHarness(3);
    expect(v.wm(25, 0).wm(10, 1).wm(17, 2).pop()).toEqual([W(10)]);
    expect(v.wm(12, 0).wm(8, 1).wm(15, 2).pop()).toEqual([]);
  });

  it('testMultipleInputWatermarkStatusToggling', () => {
    const v = new ValveHarness(2);
    expect(v.active(0).active(1).pop()).toEqual([]);
    expect(v.idle(1).pop()).toEqual([]);
    expect(v.idle(0).pop()).toEqual([IDLE]);
    expect(v.idle(0).idle(1).pop()).toEqual([]);
    expect(v.active(1).pop()).toEqual([ACTIVE]);
    expect(v.active(0).pop()).toEqual([]);
  });

  it('testMultipleInputWatermarkAdvancingWithPartiallyIdleChannels', () => {
    const v = new ValveHarness(3);
    expect(v.wm(15, 0).wm(10, 1).pop()).toEqual([]);
    expect(v.idle(2).pop()).toEqual([W(10)]);
    expect(v.wm(18, 1).pop()).toEqual([W(15)]);
    expect(v.wm(20, 0).pop()).toEqual([W(18)]);
  });

  it('testMultipleInputWatermarkAdvancingAsChannelsIndividuallyBecomeIdle', () => {
    const v = new ValveHarness(3);
    expect(v.wm(25, 0).wm(10, 1).wm(17, 2).pop()).toEqual([W(10)]);
    expect(v.idle(1).pop()).toEqual([W(17)]);
    expect(v.idle(2).pop()).toEqual([W(25)]);
  });

  it('testMultipleInputFlushMaxWatermarkAndWatermarkStatusOnceAllInputsBecomeIdle', () => {
    const v = new ValveHarness(3);
    expect(v.wm(10, 0).wm(5, 1).wm(3, 2).pop()).toEqual([W(3)]);
    expect(v.idle(0).idle(1).pop()).toEqual([]);
    expect(v.idle(2).pop()).toEqual([W(10), IDLE]);
  });

  it('testMultipleInputWatermarkRealignmentAfterResumeActive', () => {
    const v = new ValveHarness(3);
    expect(v.wm(10, 0).wm(7, 1).wm(3, 2).pop()).toEqual([W(3)]);
    expect(v.idle(2).pop()).toEqual([W(7)]);
    // Active again below the current watermark 7: unaligned until it catches up.
    v.active(2);
    expect(v.valve.channelStatus(2).aligned).toBe(false);
    expect(v.wm(5, 2).pop()).toEqual([]);
    expect(v.valve.channelStatus(2).watermark).toBe(5);
    expect(v.wm(9, 2).pop()).toEqual([]);
    expect(v.valve.channelStatus(2).aligned).toBe(true);
    expect(v.wm(12, 1).pop()).toEqual([W(9)]);
  });

  it('testNoOutputWhenAllActiveChannelsAreUnaligned', () => {
    const v = new ValveHarness(3);
    v.wm(10, 0).wm(7, 1);
    expect(v.idle(2).pop()).toEqual([W(7)]);
    expect(v.active(2).pop()).toEqual([]);
    expect(v.idle(0).idle(1).pop()).toEqual([]);
  });

  it('a finished channel holds +∞: the others alone decide, and the last one finishing releases +∞', () => {
    const v = new ValveHarness(2);
    expect(v.wm(5, 0).finished(1).pop()).toEqual([W(5)]);
    expect(v.finished(0).pop()).toEqual([W(MAX_WATERMARK)]);
  });

  it('a channel finishing while every other channel is idle flushes +∞ (a bounded input ends even when idle)', () => {
    const v = new ValveHarness(2);
    expect(v.wm(5, 0).wm(3, 1).pop()).toEqual([W(3)]);
    expect(v.idle(1).pop()).toEqual([W(5)]);
    expect(v.idle(0).pop()).toEqual([IDLE]);
    expect(v.finished(0).pop()).toEqual([W(MAX_WATERMARK)]);
  });

  it('channels of the other input of a two-input task are not this valve\'s', () => {
    const valve = new StatusWatermarkValve(new Uint8Array([1, 2, 1]), 2);
    const got: number[] = [];
    const out = { emitWatermark: (w: number) => { got.push(w); }, emitWatermarkStatus: () => {} };
    valve.inputWatermark(1, 42, out);
    expect(got).toEqual([42]);
  });
});
