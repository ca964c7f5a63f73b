// Flink's TaskIOMetricGroup and the operators' IO metrics: every value is read from counters the
// gate, the partitions and the chain keep anyway (or one integer add per chained record), so
// registering them costs nothing per record; rates are MeterViews sampled every 5 s.
import type { TaskIOMetrics } from './TaskDeploymentDescriptor.js';
import type { OperatorChain } from './OperatorChain.js';
import { chainedRecordsIn } from './ChainingOutput.js';
import type { StreamOperator } from '../operators/StreamOperator.js';
import { GaugeCounter, MeterView } from '../metrics/Metrics.js';
import type { OperatorMetricGroup, TaskMetricGroup } from '../metrics/groups/ComponentMetricGroups.js';
import type { AbstractMetricGroup } from '../metrics/groups/AbstractMetricGroup.js';
import { MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/** What the task tells about itself (Task implements it with closures over its fields). */
export interface TaskMetricsSource {
  io(): TaskIOMetrics;
  /** Waiting for output right now, or an output is full (Flink's isBackPressured). */
  isBackPressured(): boolean;
  /** Share of the result partitions' subpartitions over their backlog bound (0…1). */
  outPoolUsage(): number;
  /** The input gate's channels (received, unread buffers; floating buffers held) and its buffer budget; none for a source. */
  inputBuffers(): { channels: ReadonlyArray<{ readonly numQueued: number; readonly floatingHeld: number }>; buffersPerChannel: number; floatingBuffersPerGate: number } | undefined;
  /** The last checkpoint's alignment duration and start delay (Flink: nanoseconds). */
  lastCheckpoint(): { alignmentNanos: number; startDelayNanos: number };
  /** The task reads no network input (its head is a source). */
  readonly isSource: boolean;
}

/** Flink's metric names, task scope. */
export function registerTaskIOMetrics(group: TaskMetricGroup, src: TaskMetricsSource, chain: OperatorChain): void {
  const c = (name: string, read: () => number): void => {
    const counter = group.counter(name, new GaugeCounter(read));
    meter(group, `${name}PerSecond`, () => counter.getCount());
  };
  c('numRecordsIn', () => src.io().numRecordsIn);
  c('numRecordsOut', () => src.io().numRecordsOut);
  c('numBytesIn', () => src.io().numBytesIn);
  c('numBytesOut', () => src.io().numBytesOut);
  meter(group, 'idleTimeMsPerSecond', () => src.io().accumulatedIdleTime);
  const busy = hiddenView(group, () => src.io().accumulatedBusyTime);
  const bp = hiddenView(group, () => src.io().accumulatedBackPressuredTime);
  group.gauge('busyTimeMsPerSecond', () => Math.min(1000, Math.max(0, Math.round(busy.getRate()))));
  group.gauge('backPressuredTimeMsPerSecond', () => Math.min(1000, Math.max(0, Math.round(bp.getRate()))));
  group.gauge('accumulatedBusyTime', () => src.io().accumulatedBusyTime);
  group.gauge('accumulatedIdleTime', () => src.io().accumulatedIdleTime);
  group.gauge('accumulatedBackPressuredTime', () => src.io().accumulatedBackPressuredTime);
  group.gauge('isBackPressured', () => src.isBackPressured());
  group.gauge('checkpointAlignmentTime', () => src.lastCheckpoint().alignmentNanos);
  group.gauge('checkpointStartDelayNanos', () => src.lastCheckpoint().startDelayNanos);
  group.gauge('currentInputWatermark', () => inputWatermark(chain.head));
  const netty = group.addGroup('Shuffle').addGroup('Netty');
  netty.addGroup('Output').addGroup('Buffers').gauge('outPoolUsage', () => src.outPoolUsage());
  registerInputBufferMetrics(netty.addGroup('Input').addGroup('Buffers'), src);

  for (const op of chain.operators) {
    const spec = chain.specsByNode.get(nodeIdOf(chain, op))!;
    const og = group.getOrAddOperator(String(spec.nodeId), spec.name);
    registerOperatorIOMetrics(og, op, op === chain.head, src, chain.outputsByNode.get(spec.nodeId) ?? { chained: [], network: [] });
  }
}

function registerOperatorIOMetrics(g: OperatorMetricGroup, op: StreamOperator, isHead: boolean, src: TaskMetricsSource,
  out: { chained: StreamOperator[]; network: Array<{ partition: { numRecordsOut: number }; lastWatermark: number }> }): void {
  const recordsOut = (): number => {
    let n = 0;
    for (const t of out.chained) n += chainedRecordsIn(t);
    for (const w of out.network) n += w.partition.numRecordsOut;
    return n;
  };
  // A source's input is what it reads: Flink's SourceOperator counts emitted records as numRecordsIn.
  const recordsIn = !isHead ? () => chainedRecordsIn(op) : src.isSource ? recordsOut : () => src.io().numRecordsIn;
  const inC = g.counter('numRecordsIn', new GaugeCounter(recordsIn));
  const outC = g.counter('numRecordsOut', new GaugeCounter(recordsOut));
  meter(g, 'numRecordsInPerSecond', () => inC.getCount());
  meter(g, 'numRecordsOutPerSecond', () => outC.getCount());
  g.gauge('currentInputWatermark', () => inputWatermark(op));
  // Flink's TwoInputStreamTask registers each input's watermark on its head operator.
  const perInput = (op as { inputWatermarkOf?: (input: 1 | 2) => number }).inputWatermarkOf;
  if (isHead && typeof (op as { processElement2?: unknown }).processElement2 === 'function' && typeof perInput === 'function') {
    g.gauge('currentInput1Watermark', () => perInput.call(op, 1));
    g.gauge('currentInput2Watermark', () => perInput.call(op, 2));
  }
  g.gauge('currentOutputWatermark', () => {
    let wm = Number.POSITIVE_INFINITY;
    for (const t of out.chained) wm = Math.min(wm, inputWatermark(t));
    for (const w of out.network) wm = Math.min(wm, w.lastWatermark);
    return wm === Number.POSITIVE_INFINITY ? inputWatermark(op) : wm;
  });
}

/**
 * Flink's Shuffle.Netty.Input.Buffers.*: queued buffers, and how much of the gate's budget
 * (exclusive buffers per channel + floating buffers per gate) they take. Read per report, not per record.
 */
function registerInputBufferMetrics(g: AbstractMetricGroup, src: TaskMetricsSource): void {
  const usage = (): { queued: number; exclusive: number; floating: number; inPool: number } => {
    const b = src.inputBuffers();
    if (!b || b.channels.length === 0) return { queued: 0, exclusive: 0, floating: 0, inPool: 0 };
    let queued = 0, exclusiveUsed = 0, floatingHeld = 0;
    for (const ch of b.channels) {
      queued += ch.numQueued;
      exclusiveUsed += Math.min(ch.numQueued, b.buffersPerChannel);
      floatingHeld += ch.floatingHeld;
    }
    const exclusiveTotal = b.channels.length * b.buffersPerChannel;
    const ratio = (n: number, d: number): number => (d === 0 ? 0 : Math.min(1, n / d));
    return { queued, exclusive: ratio(exclusiveUsed, exclusiveTotal), floating: ratio(floatingHeld, b.floatingBuffersPerGate), inPool: ratio(queued, exclusiveTotal + b.floatingBuffersPerGate) };
  };
  g.gauge('inputQueueLength', () => usage().queued);
  g.gauge('inPoolUsage', () => usage().inPool);
  g.gauge('inputExclusiveBuffersUsage', () => usage().exclusive);
  g.gauge('inputFloatingBuffersUsage', () => usage().floating);
}

function nodeIdOf(chain: OperatorChain, op: StreamOperator): number {
  for (const [id, o] of chain.operatorsByNode) if (o === op) return id;
  throw new Error('internal: operator not in its chain');
}

/** The operator's input watermark (AbstractStreamOperator keeps it); Flink reports Long.MIN_VALUE before the first. */
function inputWatermark(op: StreamOperator): number {
  const wm = (op as unknown as { currentWatermark?: number }).currentWatermark;
  return typeof wm === 'number' ? wm : MIN_WATERMARK;
}

function meter(g: AbstractMetricGroup, name: string, read: () => number): void { g.meter(name, new MeterView(read)); }

/** A rate the registry samples but no one sees under its own name (the busy / back-pressured gauges read it). */
function hiddenView(g: AbstractMetricGroup, read: () => number): MeterView {
  const v = new MeterView(read);
  g.registry.registerView(v);
  g.addCloseHook(() => g.registry.unregisterView(v));
  return v;
}
