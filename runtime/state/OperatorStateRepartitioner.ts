// Flink's RoundRobinOperatorStateRepartitioner, on metadata only: which elements (offsets) of which
// old handles each new subtask restores. The bytes are never read here.
import type { OperatorStateMode } from './OperatorStateStore.js';

type StateMeta = { readonly mode: OperatorStateMode; readonly offsets: readonly number[] };

/** Anything with OperatorStateHandle's `states` (file or inline handles, or in-memory parts). */
export interface OperatorStateHandleLike {
  readonly states: Readonly<Record<string, StateMeta>>;
}

/**
 * Per new subtask, the handles it restores, each a shallow copy of an old handle with `states`
 * narrowed to the offsets assigned to that subtask (old handles are never modified).
 * SPLIT: all elements of all old subtasks in order, cut into contiguous even shares, the subtask
 * receiving a remainder element rotating from state to state; UNION: every subtask gets all
 * elements; BROADCAST: subtask i gets old subtask (i mod old parallelism)'s copy. At unchanged
 * parallelism SPLIT and BROADCAST stay where they were.
 */
export function repartitionOperatorState<H extends OperatorStateHandleLike>(old: ReadonlyArray<readonly H[]>, newParallelism: number): H[][] {
  if (!Number.isInteger(newParallelism) || newParallelism < 1) throw new RangeError(`Cannot repartition operator state to parallelism ${newParallelism}.`);
  const split = new Map<string, [H, StateMeta][]>();
  const union = new Map<string, [H, StateMeta][]>();
  const broadcast = new Map<string, [H, StateMeta][]>();
  for (const handles of old) {
    for (const h of handles) {
      for (const [name, meta] of Object.entries(h.states)) {
        const byMode = meta.mode === 'SPLIT' ? split : meta.mode === 'UNION' ? union : broadcast;
        let l = byMode.get(name);
        if (!l) { l = []; byMode.set(name, l); }
        l.push([h, meta]);
      }
    }
  }
  if (old.length === newParallelism && union.size === 0) return old.map((hs) => [...hs]);

  // Per new subtask: old handle → the states (with offsets) it restores from that handle.
  const merge = Array.from({ length: newParallelism }, () => new Map<H, Record<string, StateMeta>>());
  const assign = (i: number, h: H, name: string, mode: OperatorStateMode, offsets: readonly number[]): void => {
    let states = merge[i].get(h);
    if (!states) { states = {}; merge[i].set(h, states); }
    states[name] = { mode, offsets };
  };

  if (old.length === newParallelism) {
    old.forEach((handles, i) => {
      for (const h of handles) for (const [name, meta] of Object.entries(h.states)) if (meta.mode !== 'UNION') assign(i, h, name, meta.mode, meta.offsets);
    });
  } else {
    let startOp = 0;
    for (const [name, parts] of split) startOp = splitState(name, parts, newParallelism, startOp, assign);
    for (const [name, copies] of broadcast) {
      for (let i = 0; i < newParallelism; i++) { const [h, meta] = copies[i % copies.length]; assign(i, h, name, 'BROADCAST', meta.offsets); }
    }
  }
  for (const [name, parts] of union) {
    for (let i = 0; i < newParallelism; i++) for (const [h, meta] of parts) assign(i, h, name, 'UNION', meta.offsets);
  }
  // Handles in old-subtask order, so every subtask sees union elements in the same order.
  const order = old.flat();
  return merge.map((m) => order.filter((h) => m.has(h)).map((h) => ({ ...h, states: m.get(h)! })));
}

/** Flink's SPLIT_DISTRIBUTE: returns the subtask to start the next state with. */
function splitState<H>(name: string, parts: [H, StateMeta][], n: number, startOp: number,
  assign: (i: number, h: H, name: string, mode: OperatorStateMode, offsets: readonly number[]) => void): number {
  let total = 0;
  for (const [, m] of parts) total += m.offsets.length;
  const base = Math.floor(total / n);
  let remainder = total % n;
  let nextStart = startOp;
  let part = 0, at = 0;
  for (let k = 0; k < n; k++) {
    const op = (k + startOp) % n;
    let count = base;
    if (remainder > 0) { count++; remainder--; } else if (remainder === 0) { nextStart = op; remainder--; }
    while (count > 0) {
      const [h, meta] = parts[part];
      const take = Math.min(count, meta.offsets.length - at);
      if (take > 0) assign(op, h, name, 'SPLIT', meta.offsets.slice(at, at + take));
      at += take; count -= take;
      if (at === meta.offsets.length) { part++; at = 0; }
    }
  }
  return nextStart;
}
