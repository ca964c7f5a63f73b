import type { Output, StreamOperator, StreamOperatorParameters, StateSnapshotContext } from './StreamOperator.js';
import type { CheckpointListener } from '../api/functions/CheckpointedFunction.js';
import { StreamingRuntimeContext } from './StreamingRuntimeContext.js';
import { InternalTimerService, DEFAULT_TIMER_SERVICE_NAME, type InternalTimer, type Triggerable } from './timers/InternalTimerService.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';
import type { KeyedStateBackend } from '../state/KeyedStateBackend.js';
import type { AbstractRichFunction } from '../api/functions/RichFunction.js';
import type { OpenContext } from '../api/functions/RuntimeContext.js';
import type { CheckpointedFunction as CheckpointedFunctionLike } from '../api/functions/CheckpointedFunction.js';

/** Base of all operators: parameters, runtime context, watermarks, keyed timers. */
export abstract class AbstractStreamOperator<OUT> implements StreamOperator, Triggerable {
  protected output!: Output<OUT>;
  protected params!: StreamOperatorParameters;
  protected runtimeContext!: StreamingRuntimeContext;
  protected timerService: InternalTimerService | undefined;
  protected currentWatermark = MIN_WATERMARK;
  private input1Watermark = MIN_WATERMARK;
  private input2Watermark = MIN_WATERMARK;
  private input1Idle = false;
  private input2Idle = false;

  /** On a keyed stream: the key of each record selects the state (Flink sets the key context before processElement). */
  protected keySelector1: ((v: unknown) => unknown) | undefined;
  protected keySelector2: ((v: unknown) => unknown) | undefined;

  setup(params: StreamOperatorParameters): void {
    this.params = params;
    if (params.keyedStateBackend) { this.keySelector1 = params.keySelectors[0]; this.keySelector2 = params.keySelectors[1]; }
    this.output = params.output as Output<OUT>;
    this.runtimeContext = new StreamingRuntimeContext(params);
    // Restored timers fire only through a timer service: create it now, not on the first record.
    if (params.keyedStateBackend?.hasRestoredTimers(DEFAULT_TIMER_SERVICE_NAME)) this.getTimerService();
  }
  initializeState(): void | Promise<void> {}
  open(): void | Promise<void> {}
  finish(): void | Promise<void> {}
  close(): void | Promise<void> { this.timerService?.dispose(); }
  /** Checkpoint hooks (StreamOperator): keyed state and timers are snapshotted by the task; override for more. */
  snapshotState(_ctx: StateSnapshotContext): void | Promise<void> {}
  notifyCheckpointComplete(_checkpointId: number): void | Promise<void> {}
  notifyCheckpointAborted(_checkpointId: number): void | Promise<void> {}

  protected get keyedBackend(): KeyedStateBackend {
    const b = this.params.keyedStateBackend;
    if (!b) throw new Error(`Operator '${this.params.operatorName}' needs a keyed stream (keyBy) for state and timers.`);
    return b;
  }

  /** The keyed timer service (created on first use; keyed operators only). */
  protected getTimerService(): InternalTimerService {
    if (!this.timerService) {
      this.timerService = new InternalTimerService(this.keyedBackend, this.params.processingTimeService, this);
      this.timerService.currentWatermark = this.currentWatermark;
    }
    return this.timerService;
  }

  setKeyContextElement1(value: unknown): void {
    const ks = this.params.keySelectors[0];
    if (ks) this.params.keyedStateBackend!.setCurrentKey(ks(value));
  }
  setKeyContextElement2(value: unknown): void {
    const ks = this.params.keySelectors[1];
    if (ks) this.params.keyedStateBackend!.setCurrentKey(ks(value));
  }

  processWatermark(mark: number): void {
    this.currentWatermark = mark;
    this.timerService?.advanceWatermark(mark);
    this.output.emitWatermark(mark);
  }
  /** The last watermark of one input of a two-input operator (Flink's currentInput1Watermark / currentInput2Watermark). */
  inputWatermarkOf(input: 1 | 2): number { return input === 1 ? this.input1Watermark : this.input2Watermark; }
  processWatermark1(mark: number): void { this.input1Watermark = mark; this.inputWatermark(1, mark); }
  processWatermark2(mark: number): void { this.input2Watermark = mark; this.inputWatermark(2, mark); }

  /** +∞ (the input ended) always counts, also on an input marked idle: the end of input fires every timer. */
  private inputWatermark(input: 1 | 2, mark: number): void {
    if (mark === MAX_WATERMARK && (input === 1 ? this.input1Idle : this.input2Idle)) this.inputWatermarkStatus(input, false);
    else this.combineInputWatermarks();
  }
  processWatermarkStatus(idle: boolean): void { this.output.emitWatermarkStatus(idle); }
  /** Two inputs: an idle input leaves the minimum; the operator is idle when both are (Flink's IndexedCombinedWatermarkStatus). */
  processWatermarkStatus1(idle: boolean): void { this.inputWatermarkStatus(1, idle); }
  processWatermarkStatus2(idle: boolean): void { this.inputWatermarkStatus(2, idle); }

  private inputWatermarkStatus(input: 1 | 2, idle: boolean): void {
    const wasIdle = this.input1Idle && this.input2Idle;
    if (input === 1) this.input1Idle = idle; else this.input2Idle = idle;
    const isIdle = this.input1Idle && this.input2Idle;
    // Active before the watermark it may release, idle after the watermark going idle may release.
    if (wasIdle && !isIdle) this.output.emitWatermarkStatus(false);
    this.combineInputWatermarks();
    if (!wasIdle && isIdle) this.output.emitWatermarkStatus(true);
  }

  /** Min over the active inputs; nothing while both are idle; never backwards. */
  private combineInputWatermarks(): void {
    if (this.input1Idle && this.input2Idle) return;
    const m = this.input1Idle ? this.input2Watermark : this.input2Idle ? this.input1Watermark : Math.min(this.input1Watermark, this.input2Watermark);
    if (m > this.currentWatermark) this.processWatermark(m);
  }

  onEventTime(_timer: InternalTimer): void {}
  onProcessingTime(_timer: InternalTimer): void {}

  /** BATCH: the input of the current key is complete. */
  endKey(): void {
    this.timerService?.fireAllForCurrentKey();
    this.params.keyedStateBackend?.clearCurrentKey();
  }

  get operatorName(): string { return this.params.operatorName; }
}

/** An operator wrapping a user function: opens/closes it and hands it the runtime context. */
export abstract class AbstractUdfStreamOperator<OUT, F> extends AbstractStreamOperator<OUT> {
  constructor(protected readonly userFunction: F) { super(); }

  /**
   * A CheckpointedFunction gets its operator state here (restored state arrives with checkpoints).
   * As in Flink, a rich function has its runtime context already (e.g. its subtask index).
   */
  override async initializeState(): Promise<void> {
    const f = this.userFunction as unknown as Partial<CheckpointedFunctionLike & AbstractRichFunction>;
    if (f && typeof f === 'object' && typeof f.setRuntimeContext === 'function') f.setRuntimeContext(this.runtimeContext);
    if (f && typeof f === 'object' && typeof f.initializeState === 'function') {
      const store = this.params.operatorStateStore;
      await f.initializeState({ isRestored: () => store.isRestored(), getOperatorStateStore: () => store, getKeyedStateStore: () => this.runtimeContext });
    }
  }

  /** A CheckpointedFunction puts its operator state into the store now (the task snapshots the store right after). */
  override async snapshotState(ctx: StateSnapshotContext): Promise<void> {
    const f = this.userFunction as unknown as Partial<CheckpointedFunctionLike>;
    if (f && typeof f === 'object' && typeof f.snapshotState === 'function') await f.snapshotState({ checkpointId: ctx.checkpointId, timestamp: ctx.timestamp });
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const f = this.userFunction as unknown as Partial<CheckpointListener>;
    if (f && typeof f === 'object' && typeof f.notifyCheckpointComplete === 'function') await f.notifyCheckpointComplete(checkpointId);
  }

  override async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    const f = this.userFunction as unknown as Partial<CheckpointListener>;
    if (f && typeof f === 'object' && typeof f.notifyCheckpointAborted === 'function') await f.notifyCheckpointAborted(checkpointId);
  }

  override async open(): Promise<void> {
    const f = this.userFunction as unknown as Partial<AbstractRichFunction>;
    if (f && typeof f === 'object') {
      if (typeof f.setRuntimeContext === 'function') f.setRuntimeContext(this.runtimeContext);
      if (typeof f.open === 'function') {
        const ctx: OpenContext = { taskInfo: this.params.taskInfo };
        await f.open(ctx);
      }
    }
  }

  override async close(): Promise<void> {
    super.close();
    const f = this.userFunction as unknown as Partial<AbstractRichFunction>;
    if (f && typeof f === 'object' && typeof f.close === 'function') await f.close();
  }
}

export { copyUserFunction } from './copyUserFunction.js';
