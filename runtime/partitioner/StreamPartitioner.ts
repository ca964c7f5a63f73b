import { computeOperatorIndexForKeyGroup, assignToKeyGroup } from '../util/KeyGroupRangeAssignment.js';

/** Flink's partitioner names, as shown in plans and `tsflink info`. */
export type PartitionerType = 'FORWARD' | 'REBALANCE' | 'RESCALE' | 'SHUFFLE' | 'BROADCAST' | 'GLOBAL' | 'HASH' | 'CUSTOM';

/**
 * Chooses the subpartition of a record. One instance per producing subtask (`setup` gives
 * it the number of subpartitions), so round-robin counters are not shared.
 */
export abstract class StreamPartitioner {
  abstract readonly type: PartitionerType;
  protected numberOfChannels = 1;
  setup(numberOfChannels: number, producerSubtask: number): void {
    this.numberOfChannels = numberOfChannels;
    void producerSubtask;
  }
  /** Returns the subpartition for the record, or -1 for "all" (broadcast). */
  abstract selectChannel(value: unknown): number;
  /** POINTWISE edges connect a producer to a subset of consumers (forward, rescale). */
  get isPointwise(): boolean { return false; }
  isBroadcast(): boolean { return false; }
  abstract copy(): StreamPartitioner;
  toString(): string { return this.type; }
}

export class ForwardPartitioner extends StreamPartitioner {
  readonly type = 'FORWARD' as const;
  selectChannel(): number { return 0; }
  override get isPointwise(): boolean { return true; }
  copy(): StreamPartitioner { return new ForwardPartitioner(); }
}

export class RebalancePartitioner extends StreamPartitioner {
  readonly type = 'REBALANCE' as const;
  private next = 0;
  override setup(n: number, producerSubtask: number): void {
    super.setup(n, producerSubtask);
    // Flink starts at a random channel; starting at the subtask index spreads producers just as well and is reproducible.
    this.next = producerSubtask % n;
  }
  selectChannel(): number {
    const c = this.next;
    this.next = c + 1 === this.numberOfChannels ? 0 : c + 1;
    return c;
  }
  copy(): StreamPartitioner { return new RebalancePartitioner(); }
}

export class RescalePartitioner extends StreamPartitioner {
  readonly type = 'RESCALE' as const;
  private next = -1;
  selectChannel(): number {
    this.next = this.next + 1 >= this.numberOfChannels ? 0 : this.next + 1;
    return this.next;
  }
  override get isPointwise(): boolean { return true; }
  copy(): StreamPartitioner { return new RescalePartitioner(); }
}

export class ShufflePartitioner extends StreamPartitioner {
  readonly type = 'SHUFFLE' as const;
  selectChannel(): number { return (Math.random() * this.numberOfChannels) | 0; }
  copy(): StreamPartitioner { return new ShufflePartitioner(); }
}

export class BroadcastPartitioner extends StreamPartitioner {
  readonly type = 'BROADCAST' as const;
  selectChannel(): number { return -1; }
  override isBroadcast(): boolean { return true; }
  copy(): StreamPartitioner { return new BroadcastPartitioner(); }
}

export class GlobalPartitioner extends StreamPartitioner {
  readonly type = 'GLOBAL' as const;
  selectChannel(): number { return 0; }
  copy(): StreamPartitioner { return new GlobalPartitioner(); }
}

/** keyBy: key → key group (murmur3) → operator index, Flink's formulas. */
export class KeyGroupStreamPartitioner extends StreamPartitioner {
  readonly type = 'HASH' as const;
  /**
   * Channels of the integer keys 0..65535, filled as keys are seen (-1 = not yet): the common numeric key
   * is routed by one array read instead of murmur3 + two modulo operations. Allocated on first use.
   */
  private smallIntChannels: Int16Array | null = null;
  private maxP: number;
  constructor(readonly keySelector: (v: unknown) => unknown, maxParallelism: number) {
    super();
    this.maxP = maxParallelism;
  }
  get maxParallelism(): number { return this.maxP; }
  /** Set by the StreamGraphGenerator to the consumer's max parallelism. */
  set maxParallelism(m: number) {
    this.maxP = m;
    this.smallIntChannels = null;
  }
  override setup(numberOfChannels: number, producerSubtask: number): void {
    super.setup(numberOfChannels, producerSubtask);
    this.smallIntChannels = null;
  }
  selectChannel(value: unknown): number {
    return this.selectChannelForKey(this.keySelector(value));
  }
  /** With one consumer every key goes to it: no hashing (the consumer's state assigns key groups itself). */
  selectChannelForKey(key: unknown): number {
    const n = this.numberOfChannels;
    if (n === 1) return 0;
    if (typeof key === 'number' && (key & 0xffff) === key) {
      const table = this.smallIntChannels ?? this.newSmallIntTable();
      const c = table[key]!;
      if (c >= 0) return c;
      return (table[key] = computeOperatorIndexForKeyGroup(this.maxP, n, assignToKeyGroup(key, this.maxP)));
    }
    return computeOperatorIndexForKeyGroup(this.maxP, n, assignToKeyGroup(key, this.maxP));
  }
  private newSmallIntTable(): Int16Array {
    this.smallIntChannels = new Int16Array(65536).fill(-1);
    return this.smallIntChannels;
  }
  copy(): StreamPartitioner { return new KeyGroupStreamPartitioner(this.keySelector, this.maxP); }
}

export class CustomPartitionerWrapper extends StreamPartitioner {
  readonly type = 'CUSTOM' as const;
  constructor(readonly partitioner: (key: unknown, n: number) => number, readonly keySelector: (v: unknown) => unknown) { super(); }
  selectChannel(value: unknown): number {
    const c = this.partitioner(this.keySelector(value), this.numberOfChannels);
    if (!Number.isInteger(c) || c < 0 || c >= this.numberOfChannels) {
      throw new RangeError(`partitionCustom: the partitioner returned ${c}, but it must be an integer in 0..${this.numberOfChannels - 1}.`);
    }
    return c;
  }
  copy(): StreamPartitioner { return new CustomPartitionerWrapper(this.partitioner, this.keySelector); }
}
