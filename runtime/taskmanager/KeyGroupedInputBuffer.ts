import { KeyEncoder, keyToMapKey } from '../util/KeyEncoding.js';
import type { OneInputStreamOperator, TwoInputStreamOperator } from '../operators/StreamOperator.js';
import { SortedRunFiles, type KeyGroupFrame, type RunReader } from '../operators/sort/SortedRunFiles.js';

interface Group { key: unknown; v1: unknown[]; t1: Array<number | undefined>; v2: unknown[]; t2: Array<number | undefined> }

/** Where and when a keyed BATCH input spills (execution.sorted-inputs.memory, io.tmp.dirs). */
export interface SortSpillConfig {
  tmpDirs: readonly string[];
  /**
   * Bytes the gathered records may take in the heap before they are sorted by key and spilled as one run:
   * their serialized size plus an estimate of what each record and each key costs as objects (a record of
   * a few serialized bytes takes ~100 in the heap; counting serialized bytes alone let p=1 run out of heap).
   */
  memoryBytes: number;
  /** Serialized bytes the task has read so far (its input gate's counter): what the budget is measured in. */
  bytesRead: () => number;
  owner: string;
}

/**
 * BATCH execution of a keyed operator: the input is gathered and replayed key by key, so the operator
 * sees key-grouped input and only final results are emitted. Input beyond the memory budget is sorted
 * by canonical key bytes and spilled to a run file; at the end the runs (and what is still in memory)
 * are merged by key (Flink's SortingDataInput over an ExternalSorter). Without a spill, keys replay in
 * arrival order.
 */
/**
 * Heap bytes of a gathered record beyond its serialized size (its object header and fields, its slot in the
 * key's list and timestamp list) and of a key's group (the group object, its lists, its Map entry); measured
 * with tuples of a short string and a number, `node --expose-gc`, 2M records over 1k–2M keys.
 */
export const RECORD_HEAP_OVERHEAD = 96;
export const GROUP_HEAP_OVERHEAD = 320;

export class KeyGroupedInputBuffer {
  private readonly groups = new Map<string | number | bigint | boolean, Group>();
  /** An input without a key (the broadcast side of a keyed broadcast operator): replayed before all keys, as in Flink. */
  private readonly unkeyed: Group = { key: undefined, v1: [], t1: [], v2: [], t2: [] };
  private readonly runs: SortedRunFiles | null;
  private bytesSeen = 0;
  /** Estimated heap bytes of the records in `groups` (see SortSpillConfig.memoryBytes). */
  private heapBytes = 0;
  private readonly encoder = new KeyEncoder();

  constructor(private readonly keySelectors: ReadonlyArray<((v: unknown) => unknown) | undefined>, private readonly spill?: SortSpillConfig) {
    this.runs = spill ? new SortedRunFiles(spill.tmpDirs, spill.owner) : null;
  }

  /** Runs spilled so far (metrics, tests). */
  get numSpilledRuns(): number { return this.runs?.numRuns ?? 0; }

  add(input: number, values: unknown[], timestamps: number[] | null): void {
    const ks = this.keySelectors[input - 1];
    if (ks === undefined) {
      const [vs, ts] = input === 1 ? [this.unkeyed.v1, this.unkeyed.t1] : [this.unkeyed.v2, this.unkeyed.t2];
      for (let i = 0; i < values.length; i++) { vs.push(values[i]); ts.push(timestamps === null ? undefined : timestamps[i]); }
      return;
    }
    const before = this.groups.size;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const key = ks(v);
      const mk = keyToMapKey(key);
      let g = this.groups.get(mk);
      if (!g) { g = { key, v1: [], t1: [], v2: [], t2: [] }; this.groups.set(mk, g); }
      if (input === 1) { g.v1.push(v); g.t1.push(timestamps === null ? undefined : timestamps[i]); }
      else { g.v2.push(v); g.t2.push(timestamps === null ? undefined : timestamps[i]); }
    }
    const s = this.spill;
    if (s) {
      const read = s.bytesRead();
      this.heapBytes += read - this.bytesSeen + values.length * RECORD_HEAP_OVERHEAD + (this.groups.size - before) * GROUP_HEAP_OVERHEAD;
      this.bytesSeen = read;
      if (this.heapBytes > s.memoryBytes) this.spillRun();
    }
  }

  /** Estimated heap bytes of the records gathered in memory now (metrics, tests). */
  get inMemoryBytes(): number { return this.heapBytes; }

  /** What is in memory, sorted by key bytes, becomes one run on disk. */
  private spillRun(): void {
    this.heapBytes = 0;
    if (this.groups.size === 0) return;
    this.runs!.writeRun(this.sortedInMemory());
    this.groups.clear();
  }

  private sortedInMemory(): KeyGroupFrame[] {
    const frames: KeyGroupFrame[] = [];
    for (const g of this.groups.values()) {
      const n = this.encoder.encode(g.key);
      frames.push({ key: this.encoder.bytes.slice(0, n), v1: g.v1, t1: g.t1, v2: g.v2, t2: g.t2 });
    }
    return frames.sort((a, b) => Buffer.compare(a.key, b.key));
  }

  async replay(one: OneInputStreamOperator<unknown>, two: TwoInputStreamOperator<unknown, unknown>, twoInput: boolean,
    endKey: () => void, yieldFn: () => Promise<void>, checkCanceled: () => void): Promise<void> {
    const u = this.unkeyed;
    for (let i = 0; i < u.v1.length; i++) two.processElement1(u.v1[i], u.t1[i]);
    for (let i = 0; i < u.v2.length; i++) two.processElement2(u.v2[i], u.t2[i]);
    u.v1 = []; u.t1 = []; u.v2 = []; u.t2 = [];
    const records = (g: { v1: unknown[]; t1: Array<number | undefined>; v2: unknown[]; t2: Array<number | undefined> }): void => {
      if (twoInput) {
        for (let i = 0; i < g.v1.length; i++) two.processElement1(g.v1[i], g.t1[i]);
        for (let i = 0; i < g.v2.length; i++) two.processElement2(g.v2[i], g.t2[i]);
      } else {
        for (let i = 0; i < g.v1.length; i++) one.processElement(g.v1[i], g.t1[i]);
      }
    };
    if (this.numSpilledRuns === 0) {
      for (const [mk, g] of this.groups) {
        records(g);
        endKey();
        this.groups.delete(mk);
        await yieldFn();
        checkCanceled();
      }
      return;
    }
    await this.mergeRuns(records, twoInput, endKey, yieldFn, checkCanceled);
  }

  /**
   * k-way merge of the spilled runs and the sorted in-memory rest; a key's records from all runs, in run order.
   * One input: each run's frame goes to the operator as it is read, so a key bigger than the budget is never
   * held whole; two inputs: a key's frames are gathered, so input 1 comes before input 2 within the key.
   */
  private async mergeRuns(records: (g: KeyGroupFrame) => void, twoInput: boolean, endKey: () => void,
    yieldFn: () => Promise<void>, checkCanceled: () => void): Promise<void> {
    const memory = this.sortedInMemory();
    this.groups.clear();
    let memPos = 0;
    const readers: RunReader[] = this.runs!.readers();
    try {
      for (;;) {
        let min: Uint8Array | null = memPos < memory.length ? memory[memPos]!.key : null;
        for (const r of readers) if (r.head !== null && (min === null || Buffer.compare(r.head.key, min) < 0)) min = r.head.key;
        if (min === null) break;
        const group: KeyGroupFrame = { key: min, v1: [], t1: [], v2: [], t2: [] };
        const take = twoInput ? (f: KeyGroupFrame): void => {
          for (let i = 0; i < f.v1.length; i++) { group.v1.push(f.v1[i]); group.t1.push(f.t1[i]); }
          for (let i = 0; i < f.v2.length; i++) { group.v2.push(f.v2[i]); group.t2.push(f.t2[i]); }
        } : records;
        // Spill order is arrival order: runs first (oldest first), then what is still in memory.
        for (const r of readers) if (r.head !== null && Buffer.compare(r.head.key, min) === 0) { take(r.head); r.advance(); }
        if (memPos < memory.length && Buffer.compare(memory[memPos]!.key, min) === 0) take(memory[memPos++]!);
        if (twoInput) records(group);
        endKey();
        await yieldFn();
        checkCanceled();
      }
    } finally {
      for (const r of readers) r.close();
      this.dispose();
    }
  }

  /** Removes the spill files (after the replay, or when the task fails or is cancelled). */
  dispose(): void { this.runs?.close(); }
}
