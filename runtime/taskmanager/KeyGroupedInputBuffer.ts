import { keyToMapKey } from '../util/KeyEncoding.js';
import type { OneInputStreamOperator, TwoInputStreamOperator } from '../operators/StreamOperator.js';

interface Group { v1: unknown[]; t1: Array<number | undefined>; v2: unknown[]; t2: Array<number | undefined> }

/**
 * BATCH execution of a keyed operator: the whole input is gathered and replayed key by key,
 * so the operator sees key-grouped input and only final results are emitted (Flink sorts; the
 * spilling external sort arrives with the blocking-shuffle issue).
 */
export class KeyGroupedInputBuffer {
  private readonly groups = new Map<string | number | bigint | boolean, Group>();
  /** An input without a key (the broadcast side of a keyed broadcast operator): replayed before all keys, as in Flink. */
  private readonly unkeyed: Group = { v1: [], t1: [], v2: [], t2: [] };
  constructor(private readonly keySelectors: ReadonlyArray<((v: unknown) => unknown) | undefined>) {}

  add(input: number, values: unknown[], timestamps: number[] | null): void {
    const ks = this.keySelectors[input - 1];
    if (ks === undefined) {
      const [vs, ts] = input === 1 ? [this.unkeyed.v1, this.unkeyed.t1] : [this.unkeyed.v2, this.unkeyed.t2];
      for (let i = 0; i < values.length; i++) { vs.push(values[i]); ts.push(timestamps === null ? undefined : timestamps[i]); }
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const mk = keyToMapKey(ks(v));
      let g = this.groups.get(mk);
      if (!g) { g = { v1: [], t1: [], v2: [], t2: [] }; this.groups.set(mk, g); }
      if (input === 1) { g.v1.push(v); g.t1.push(timestamps === null ? undefined : timestamps[i]); }
      else { g.v2.push(v); g.t2.push(timestamps === null ? undefined : timestamps[i]); }
    }
  }

  async replay(one: OneInputStreamOperator<unknown>, two: TwoInputStreamOperator<unknown, unknown>, twoInput: boolean,
    endKey: () => void, yieldFn: () => Promise<void>, checkCanceled: () => void): Promise<void> {
    const u = this.unkeyed;
    for (let i = 0; i < u.v1.length; i++) two.processElement1(u.v1[i], u.t1[i]);
    for (let i = 0; i < u.v2.length; i++) two.processElement2(u.v2[i], u.t2[i]);
    u.v1 = []; u.t1 = []; u.v2 = []; u.t2 = [];
    for (const [mk, g] of this.groups) {
      if (twoInput) {
        for (let i = 0; i < g.v1.length; i++) two.processElement1(g.v1[i], g.t1[i]);
        for (let i = 0; i < g.v2.length; i++) two.processElement2(g.v2[i], g.t2[i]);
      } else {
        for (let i = 0; i < g.v1.length; i++) one.processElement(g.v1[i], g.t1[i]);
      }
      endKey();
      this.groups.delete(mk);
      await yieldFn();
      checkCanceled();
    }
  }
}
