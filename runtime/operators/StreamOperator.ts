import type { MetricGroup, TaskInfo } from '../api/functions/RuntimeContext.js';
import type { KeyedStateBackend } from '../state/KeyedStateBackend.js';
import type { ProcessingTimeService } from './timers/ProcessingTimeService.js';
import type { AccumulatorRegistry } from './AccumulatorRegistry.js';
import type { OperatorStateStore } from '../state/OperatorStateStore.js';

/**
 * Where an operator sends its results: the next chained operator, a network partition, or
 * several of those. `timestamp` is the record's event timestamp or undefined.
 */
export interface Output<T> {
  collect(value: T, timestamp: number | undefined): void;
  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void;
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

/** Lets an operator talk to its OperatorCoordinator in the JobMaster (sources, collect sink). */
export interface OperatorEventGateway {
  sendEventToCoordinator(event: unknown): void;
}

export type RuntimeMode = 'STREAMING' | 'BATCH';

export interface StreamOperatorParameters {
  readonly output: Output<unknown>;
  readonly nodeId: number;
  readonly operatorName: string;
  readonly taskInfo: TaskInfo;
  readonly metricGroup: MetricGroup;
  readonly runtimeMode: RuntimeMode;
  readonly processingTimeService: ProcessingTimeService;
  /** Present when the operator consumes a keyed stream. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
  readonly keySelectors: ReadonlyArray<((v: unknown) => unknown) | undefined>;
  readonly operatorStateStore: OperatorStateStore;
  readonly accumulators: AccumulatorRegistry;
  /** pipeline.global-job-parameters of the job (getRuntimeContext().getJobParameter). */
  readonly jobParameters?: Readonly<Record<string, string>>;
  readonly operatorEventGateway: OperatorEventGateway;
  readonly autoWatermarkInterval: number;
  /** Runs a callback in the task's mailbox (never concurrently with record processing). */
  readonly mailbox: (mail: () => void | Promise<void>) => void;
  /**
   * Waits for the next mail and runs it, with the task's other mails (Flink's MailboxExecutor#yield): an
   * operator waiting at finish() for its own mails (async I/O results, timeouts) lets them run this way.
   */
  readonly yieldToMailbox?: () => Promise<void>;
  /**
   * STREAMING with execution.checkpointing.interval set: side effects wait for
   * notifyCheckpointComplete, and after the end of input the task stays up until a final
   * checkpoint completed (so a two-phase-commit sink commits its last data exactly once).
   */
  readonly checkpointingEnabled: boolean;
  /**
   * Whether a final checkpoint follows the end of input (execution.checkpointing.checkpoints-after-tasks-finish;
   * default: checkpointingEnabled). Without one, a two-phase-commit sink commits its last data at finish().
   */
  readonly finalCheckpoint?: boolean;
}

/** Lifecycle every operator follows: setup → initializeState → open → (records) → finish → close. */
export interface StreamOperator {
  setup(params: StreamOperatorParameters): void;
  initializeState(): void | Promise<void>;
  open(): void | Promise<void>;
  /** End of input: emit what is buffered (BATCH final results, sink flushes). */
  finish(): void | Promise<void>;
  close(): void | Promise<void>;
  /** Receives an event from this operator's coordinator. */
  handleOperatorEvent?(event: unknown): void;
  /**
   * Synchronous phase of a checkpoint (Flink's StreamOperator.snapshotState): put what must survive
   * a failure into the operator state store or keyed state (source splits, a sink's pending files,
   * a user CheckpointedFunction's state). The task snapshots the stores right after, in the same
   * mailbox turn, and uploads them asynchronously. Runs head operator last (downstream first).
   */
  snapshotState?(ctx: StateSnapshotContext): void | Promise<void>;
  /** Checkpoint `checkpointId` is complete on every task (Flink's CheckpointListener): commit side effects. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  /**
   * False while the operator cannot take more input (async I/O at capacity): the task then stops
   * reading input and runs mails until it is true again (backpressure). Absent = always true.
   */
  isInputAvailable?(): boolean;
}

export interface StateSnapshotContext {
  readonly checkpointId: number;
  readonly timestamp: number;
}

export interface OneInputStreamOperator<IN> extends StreamOperator {
  processElement(value: IN, timestamp: number | undefined): void;
  /**
   * A keyed operator at the head of its task may take records whose key the input already computed (the
   * producer's keyBy partitioner, in-thread): as processElement, without selecting the key again (Flink's
   * setKeyContextElement + processElement). Optional; without it the task calls processElement.
   */
  processKeyedElement?(value: IN, key: unknown, timestamp: number | undefined): void;
  processWatermark(watermark: number): void;
  processWatermarkStatus?(idle: boolean): void;
}

export interface TwoInputStreamOperator<IN1, IN2> extends StreamOperator {
  processElement1(value: IN1, timestamp: number | undefined): void;
  processElement2(value: IN2, timestamp: number | undefined): void;
  processWatermark1(watermark: number): void;
  processWatermark2(watermark: number): void;
  /** All channels of input 1 (2) went idle or one became active again. */
  processWatermarkStatus1?(idle: boolean): void;
  processWatermarkStatus2?(idle: boolean): void;
}

/** Creates a fresh operator for one subtask. */
export type OperatorFactory = () => StreamOperator;

/** BATCH keyed input: the task feeds records grouped by key and tells the operator when a key ends. */
export interface KeyGroupedInputAware {
  endKey(): void;
}
