import type { OperatorCoordinator, SubtaskGateway } from './OperatorCoordinator.js';
import type { Source, SplitEnumerator, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { SourceOperatorEvent, SourceCoordinatorEvent } from '../../operators/SourceOperator.js';
import { WatermarkAlignmentGroups, SourceWatermarkAlignment } from '../../connectors/source/WatermarkAlignment.js';

/** Hosts a source's SplitEnumerator in the JobMaster and routes split requests/assignments. */
export class SourceCoordinator implements OperatorCoordinator {
  private enumerator: SplitEnumerator<unknown, unknown> | undefined;
  private readonly readers = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  /** Splits handed to each reader since its attempt started: a reader that starts over gets them back. */
  private readonly assigned = new Map<number, unknown[]>();

  /** Watermark alignment, once a reader registered with the strategy's alignment parameters. */
  private alignment: SourceWatermarkAlignment | undefined;

  /** `alignmentGroups`: shared by the job's source coordinators, so sources of one group align with each other. */
  constructor(private readonly source: Source<unknown, unknown>, private readonly parallelism: number,
    private readonly toSubtask: SubtaskGateway, private readonly onError: (e: unknown) => void,
    private readonly alignmentGroups = new WatermarkAlignmentGroups()) {}

  private context(): SplitEnumeratorContext<unknown> {
    return {
      currentParallelism: () => this.parallelism,
      registeredReaders: () => this.readers,
      assignSplit: (split, subtask) => {
        let a = this.assigned.get(subtask);
        if (!a) this.assigned.set(subtask, (a = []));
        a.push(split);
        this.toSubtask(subtask, { type: 'AddSplits', splits: [split] } satisfies SourceCoordinatorEvent);
      },
      signalNoMoreSplits: (subtask) => this.toSubtask(subtask, { type: 'NoMoreSplits' } satisfies SourceCoordinatorEvent),
      sendEventToSourceReader: (subtask, event) => this.toSubtask(subtask, { type: 'SourceEventToReader', event } satisfies SourceCoordinatorEvent),
    };
  }

  async start(): Promise<void> {
    this.enumerator = this.source.createEnumerator(this.context());
    await this.enumerator.start();
  }

  /** Events are handled one at a time, in arrival order (the enumerator is not reentrant). */
  handleEventFromOperator(subtask: number, event: unknown): Promise<void> {
    this.chain = this.chain.then(async () => {
      const e = event as SourceOperatorEvent;
      const en = this.enumerator;
      if (!en) return;
      switch (e.type) {
        case 'ReaderRegistration':
          this.readers.add(subtask);
          if (e.alignment && !this.alignment) {
            this.alignment = new SourceWatermarkAlignment(e.alignment, this.alignmentGroups, () => this.readers,
              (s, maxWatermark) => this.toSubtask(s, { type: 'WatermarkAlignment', maxWatermark } satisfies SourceCoordinatorEvent));
            this.alignment.start();
          }
          en.addReader(subtask);
          break;
        case 'ReportedWatermark': this.alignment?.report(subtask, e.watermark); break;
        case 'RequestSplit': await en.handleSplitRequest(subtask); break;
        case 'SourceEventToCoordinator': en.handleSourceEvent?.(subtask, e.event); break;
      }
    }).catch((err: unknown) => this.onError(err));
    return this.chain;
  }

  /** The enumerator's checkpoint, taken in turn with the events it handles (so it sees a consistent state). */
  checkpointCoordinator(checkpointId: number, onSnapshotTaken: () => void): Promise<unknown> {
    const snap = this.chain.then(() => {
      const s = this.enumerator?.snapshotState(checkpointId);
      onSnapshotTaken();
      return s;
    });
    this.chain = snap.then(() => undefined, () => undefined);
    return snap;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const en = this.enumerator as (SplitEnumerator<unknown, unknown> & { notifyCheckpointComplete?(id: number): void }) | undefined;
    en?.notifyCheckpointComplete?.(checkpointId);
  }

  async resetToCheckpoint(checkpointId: number | undefined, state: unknown): Promise<void> {
    await this.chain;
    await this.enumerator?.close();
    this.readers.clear();
    this.alignment?.reset();
    this.assigned.clear();
    if (checkpointId === undefined || state === undefined) { await this.start(); return; }
    this.enumerator = this.source.restoreEnumerator(this.context(), state);
    await this.enumerator.start();
  }

  async close(): Promise<void> {
    this.alignment?.close();
    await this.chain;
    await this.enumerator?.close();
    this.enumerator = undefined;
  }
  /** Region failover without a checkpoint (BATCH): the splits the subtask's last attempt got go back to the enumerator (Flink's addSplitsBack). */
  subtaskReset(subtask: number): Promise<void> {
    this.chain = this.chain.then(() => {
      this.readers.delete(subtask);
      const splits = this.assigned.get(subtask);
      this.assigned.delete(subtask);
      if (splits && splits.length > 0) this.enumerator?.addSplitsBack(splits, subtask);
    }).catch((err: unknown) => this.onError(err));
    return this.chain;
  }

}
