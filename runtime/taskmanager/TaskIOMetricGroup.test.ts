// The operator watermark gauges of a task (Flink's MetricNames.IO_CURRENT_INPUT_WATERMARK and, for
// two-input heads, IO_CURRENT_INPUT_1_WATERMARK / _2_): read from the operator the chain runs.
import { describe, expect, it } from 'vitest';
import { MetricRegistry, TaskManagerMetricGroup } from '../metrics/index.js';
import { registerTaskIOMetrics, type TaskMetricsSource } from './TaskIOMetricGroup.js';
import type { OperatorChain } from './OperatorChain.js';
import type { StreamOperator } from '../operators/StreamOperator.js';
import { CoStreamMap } from '../operators/CoStreamMap.js';
import { StreamMap } from '../operators/StreamMap.js';
import { TwoInputStreamOperatorTestHarness } from '../testing/TwoInputStreamOperatorTestHarness.js';
import { OneInputStreamOperatorTestHarness } from '../testing/OneInputStreamOperatorTestHarness.js';

const MIN = Number.MIN_SAFE_INTEGER;

function register(op: StreamOperator, name: string): () => Record<string, unknown> {
  const r = new MetricRegistry();
  const task = new TaskManagerMetricGroup(r, '127.0.0.2', 'tm').addJob('f'.repeat(32), 'job').addTask({
    vertexId: 'a'.repeat(32), executionAttemptId: 'x', taskName: name, subtaskIndex: 0, attemptNumber: 0,
  });
  const chain = {
    head: op, operators: [op],
    specsByNode: new Map([[1, { nodeId: 1, name }]]), operatorsByNode: new Map([[1, op]]), outputsByNode: new Map(),
  } as unknown as OperatorChain;
  const io = { numRecordsIn: 0, numRecordsOut: 0, numBytesIn: 0, numBytesOut: 0, accumulatedBusyTime: 0, accumulatedIdleTime: 0, accumulatedBackPressuredTime: 0 };
  const src = {
    io: () => io, isBackPressured: () => false, outPoolUsage: () => 0, inputBuffers: () => undefined,
    lastCheckpoint: () => ({ alignmentNanos: 0, startDelayNanos: 0 }), isSource: false,
  } as unknown as TaskMetricsSource;
  registerTaskIOMetrics(task, src, chain);
  return () => {
    const d = r.dump().find((g) => g.info.category === 'operator')!;
    return Object.fromEntries(d.metrics.map((m) => [m.name, m.value]));
  };
}

describe('TaskIOMetricGroup watermark gauges', () => {
  it('a two-input head reports currentInput1Watermark / currentInput2Watermark and their minimum as currentInputWatermark', async () => {
    const h = new TwoInputStreamOperatorTestHarness<number, number>(new CoStreamMap<number, number, number>({ map1: (v) => v, map2: (v) => v }));
    await h.open();
    const read = register(h.operator as unknown as StreamOperator, 'Co-Map');
    expect(read()).toMatchObject({ currentInput1Watermark: MIN, currentInput2Watermark: MIN, currentInputWatermark: MIN });
    h.processWatermark1(5);
    expect(read()).toMatchObject({ currentInput1Watermark: 5, currentInput2Watermark: MIN, currentInputWatermark: MIN });
    h.processWatermark2(3);
    expect(read()).toMatchObject({ currentInput1Watermark: 5, currentInput2Watermark: 3, currentInputWatermark: 3 });
    h.processWatermark2(9);
    expect(read()).toMatchObject({ currentInput1Watermark: 5, currentInput2Watermark: 9, currentInputWatermark: 5 });
    await h.close();
  });

  it('a one-input operator has currentInputWatermark only', async () => {
    const h = new OneInputStreamOperatorTestHarness<number>(new StreamMap<number, number>(undefined, (v: number) => v));
    await h.open();
    const read = register(h.operator as unknown as StreamOperator, 'Map');
    h.processWatermark(4);
    const m = read();
    expect(m.currentInputWatermark).toBe(4);
    expect(m).not.toHaveProperty('currentInput1Watermark');
    expect(m).not.toHaveProperty('currentInput2Watermark');
    await h.close();
  });
});
