// cleanupFullSnapshot (Flink's TtlStateSnapshotTransformer): rewrites a canonical keyed snapshot
// without the expired entries of the TTL states that ask for it. It works on the finished bytes, so
// it is the same for every backend; it costs one decode and encode of the key groups holding such
// states, and only runs when a state enabled it.
import { readFrame, StateFrameWriter } from '../StateSerializer.js';
import type { KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { StateKind } from '../../api/state/StateDescriptor.js';
import type { TtlPolicy, TtlValue } from './TtlStates.js';

export interface TtlFilteredState { readonly name: string; readonly kind: StateKind; readonly policy: TtlPolicy }

type StateRecord = [name: string, kind: string, ttl: 0 | 1, entries: unknown[]];

export const isTtlValue = (x: unknown): x is TtlValue => typeof x === 'object' && x !== null && typeof (x as TtlValue).t === 'number';

/** The live part of one stored value of a TTL state, or undefined when nothing of it is live. */
export function liveValue(kind: StateKind, p: TtlPolicy, now: number, v: unknown): unknown {
  switch (kind) {
    case 'list': {
      const all = v as unknown[];
      const live = all.filter((e) => !(isTtlValue(e) && p.expired(e, now)));
      return live.length === all.length ? v : live.length > 0 ? live : undefined;
    }
    case 'map': {
      const m = new Map<unknown, unknown>();
      for (const [mk, pair] of v as Map<unknown, [unknown, unknown]>) if (!(isTtlValue(pair[1]) && p.expired(pair[1], now))) m.set(mk, pair);
      return m.size > 0 ? m : undefined;
    }
    default:
      return isTtlValue(v) && p.expired(v, now) ? undefined : v;
  }
}

export function filterExpired(s: KeyGroupsSnapshot, states: readonly TtlFilteredState[], now: number): KeyGroupsSnapshot {
  const byName = new Map(states.map((x) => [x.name, x]));
  const offsets = s.offsets.map(() => -1);
  const w = new StateFrameWriter();
  for (let i = 0; i < s.offsets.length; i++) {
    const off = s.offsets[i]!;
    if (off < 0) continue;
    const kg = s.startKeyGroup + i;
    const records = readFrame(s.data, off, () => `Keyed state of key group ${kg}`) as StateRecord[];
    const kept: StateRecord[] = [];
    for (const r of records) {
      const f = byName.get(r[0]);
      if (f === undefined) { kept.push(r); continue; }
      const e = r[3];
      const out: unknown[] = [];
      for (let j = 0; j < e.length; j += 2) {
        const live = liveValue(f.kind, f.policy, now, e[j + 1]);
        if (live !== undefined) out.push(e[j], live);
      }
      if (out.length > 0) kept.push([r[0], r[1], r[2], out]);
    }
    if (kept.length > 0) offsets[i] = w.write(kept, () => `Keyed state of key group ${kg}`);
  }
  return { startKeyGroup: s.startKeyGroup, endKeyGroup: s.endKeyGroup, offsets, data: w.finish() };
}
