import type { KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';
import { StateFrameWriter, readFrame } from './StateSerializer.js';

/**
 * Keyed state of one subtask for key groups [startKeyGroup, endKeyGroup] (KeyGroupsStateHandle
 * without the handle): offsets[kg - startKeyGroup] is where key group kg's frame starts in
 * `data`, -1 = the group is empty.
 */
export interface KeyGroupsSnapshot {
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
  readonly offsets: readonly number[];
  readonly data: Uint8Array;
  /** Unset: the canonical format every backend reads. DELTA_FORMAT: a leveldb incremental delta. */
  readonly format?: typeof DELTA_FORMAT;
}

/** Format of the deltas of leveldb incremental checkpoints (state/leveldb/LevelDBIncremental.ts). */
export const DELTA_FORMAT = 'leveldb-delta' as const;

/** Writes one frame per non-empty key group (payloads[i] is key group range.start + i). */
export function writeKeyGroups(range: KeyGroupRange, payloads: ReadonlyArray<unknown>, describe: (kg: number) => string): KeyGroupsSnapshot {
  const n = range.endKeyGroup - range.startKeyGroup + 1;
  const offsets = new Array<number>(n).fill(-1);
  const w = new StateFrameWriter();
  for (let i = 0; i < n; i++) {
    const p = payloads[i];
    if (p !== undefined) offsets[i] = w.write(p, () => describe(range.startKeyGroup + i));
  }
  return { startKeyGroup: range.startKeyGroup, endKeyGroup: range.endKeyGroup, offsets, data: w.finish() };
}

/** writeKeyGroups in steps: yields after each key group's frame (the caller may pause there, or go on). */
export function* writeKeyGroupsInSteps(range: KeyGroupRange, payloads: ReadonlyArray<unknown>, describe: (kg: number) => string): Generator<void, KeyGroupsSnapshot> {
  const n = range.endKeyGroup - range.startKeyGroup + 1;
  const offsets = new Array<number>(n).fill(-1);
  const w = new StateFrameWriter();
  for (let i = 0; i < n; i++) {
    const p = payloads[i];
    if (p !== undefined) { offsets[i] = w.write(p, () => describe(range.startKeyGroup + i)); yield; }
  }
  return { startKeyGroup: range.startKeyGroup, endKeyGroup: range.endKeyGroup, offsets, data: w.finish() };
}

/** Decodes every non-empty key group of `snapshots` that lies in `range`; groups outside it are not read. */
export function readKeyGroups(snapshots: readonly KeyGroupsSnapshot[], range: KeyGroupRange, fn: (keyGroup: number, payload: unknown) => void): void {
  for (const s of snapshots) {
    if (s.offsets.length !== s.endKeyGroup - s.startKeyGroup + 1) {
      throw new Error(`Keyed state of key groups ${s.startKeyGroup}..${s.endKeyGroup} is corrupt: ${s.offsets.length} offsets for ${s.endKeyGroup - s.startKeyGroup + 1} key groups.`);
    }
    const from = Math.max(s.startKeyGroup, range.startKeyGroup);
    const to = Math.min(s.endKeyGroup, range.endKeyGroup);
    for (let kg = from; kg <= to; kg++) {
      const off = s.offsets[kg - s.startKeyGroup];
      if (off < 0) continue;
      fn(kg, readFrame(s.data, off, () => `Keyed state of key group ${kg}`));
    }
  }
}
