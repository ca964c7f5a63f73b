// Incremental checkpoints of the LevelDB backend (execution.checkpointing.incremental).
//
// LevelDB has no RocksDB-style checkpoint API (hard links to immutable SST files), so tsflink keeps
// a chain per subtask instead, in the spirit of Flink's changelog backend (FLIP-158): a *base*
// (the canonical full snapshot, so it is the same bytes a full checkpoint writes) followed by
// *deltas*, each holding the LevelDB entries written or deleted since the last checkpoint the
// JobManager confirmed. Restore = base, then the deltas in order. Every few deltas (or when the
// deltas outgrow the base) the next checkpoint materializes a new base, so restore time stays
// bounded. Timers live on the heap and go in full with every checkpoint, next to the chain.
//
// A delta is a KeyGroupsSnapshot whose frame per key group is
//   [[stateName, kind, ttl], …]   the states its entries belong to, then
//   [state, keySuffix, value | null, …]   state = index in that list; keySuffix = the LevelDB key
// after [key group][state id] (state ids are per backend instance, so names travel instead).
import type { ClassicLevel } from 'classic-level';
import { StateFrameWriter } from '../StateSerializer.js';
import { DELTA_FORMAT, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import type { StoredKind } from '../heap/HeapSnapshot.js';
import { keyGroupOf, stateIdOf } from './LevelDBKeyLayout.js';
import type { StateMeta } from './LevelDBStates.js';
import type { LevelSnapshot } from './WriteBackStore.js';

/**
 * The LevelDB keys written since the last confirmed checkpoint. Each key remembers the
 * generation of its latest write; confirming a checkpoint drops the keys it captured unless they
 * were written again after it.
 */
export class ChangeTracker {
  private readonly changed = new Map<string, number>();
  private generation = 0;

  mark(k: string): void { this.changed.set(k, this.generation); }

  /** The keys changed so far, sorted (LevelDB order), and the generation that marks them. */
  capture(): { generation: number; keys: string[] } {
    const generation = this.generation++;
    return { generation, keys: [...this.changed.keys()].sort() };
  }

  /** A checkpoint captured at `generation` was confirmed: its keys need no upload any more. */
  confirm(generation: number): void {
    for (const [k, g] of this.changed) if (g <= generation) this.changed.delete(k);
  }

  get size(): number { return this.changed.size; }
}

const KEYS_PER_READ = 1_000;

export interface DeltaInput {
  readonly db: ClassicLevel<string, Buffer>;
  readonly snapshot: LevelSnapshot;
  readonly range: KeyGroupRange;
  /** Sorted. */
  readonly keys: readonly string[];
  readonly metas: ReadonlyMap<number, StateMeta>;
  pause(): Promise<void>;
}

/** The delta of `keys` as of `snapshot`: the current bytes of each, or null where it was deleted. */
export async function writeLevelDBDelta(input: DeltaInput): Promise<KeyGroupsSnapshot & { format: typeof DELTA_FORMAT }> {
  const { range, keys, metas } = input;
  const start = range.startKeyGroup;
  const offsets = new Array<number>(range.endKeyGroup - start + 1).fill(-1);
  const w = new StateFrameWriter();
  let kg = -1;
  let states = new Map<string, { index: number; record: [string, StoredKind, 0 | 1] }>();
  let entries: unknown[] = [];
  const endGroup = (): void => {
    if (kg < 0 || entries.length === 0) return;
    const frame = [[...states.values()].map((x) => x.record), entries];
    offsets[kg - start] = w.write(frame, () => `Incremental state of key group ${kg}`);
    states = new Map(); entries = [];
  };
  for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
    const batch = keys.slice(i, i + KEYS_PER_READ);
    const values = await input.db.getMany(batch, { snapshot: input.snapshot, keyEncoding: 'utf8', valueEncoding: 'buffer' });
    for (let j = 0; j < batch.length; j++) {
      const k = batch[j]!;
      const g = keyGroupOf(k);
      if (g < start || g > range.endKeyGroup) throw new Error(`internal: LevelDB key of key group ${g} outside ${start}..${range.endKeyGroup}`);
      const meta = metas.get(stateIdOf(k));
      if (meta === undefined) continue; // a state registered after the snapshot began
      if (g !== kg) { endGroup(); kg = g; }
      let st = states.get(meta.name);
      if (!st) { st = { index: states.size, record: [meta.name, meta.kind, meta.ttl ? 1 : 0] }; states.set(meta.name, st); }
      const v = values[j];
      entries.push(st.index, k.slice(4), v === undefined ? null : v);
    }
    await input.pause();
  }
  endGroup();
  return { startKeyGroup: start, endKeyGroup: range.endKeyGroup, offsets, data: w.finish(), format: DELTA_FORMAT };
}

export interface DeltaRecord {
  readonly states: ReadonlyArray<readonly [name: string, kind: StoredKind, ttl: boolean]>;
  /** index into states, key suffix, value bytes or null (deleted), … */
  readonly entries: readonly unknown[];
}

/** Checks the shape of one key group's delta frame. */
export function parseDeltaFrame(kg: number, payload: unknown): DeltaRecord {
  const bad = (why: string): Error => new Error(`Incremental state of key group ${kg} is corrupt: ${why}.`);
  if (!Array.isArray(payload) || payload.length !== 2) throw bad('not a delta frame');
  const [states, entries] = payload as [unknown, unknown];
  if (!Array.isArray(states) || !Array.isArray(entries) || entries.length % 3 !== 0) throw bad('malformed states or entries');
  const out: Array<readonly [string, StoredKind, boolean]> = [];
  for (const s of states as unknown[]) {
    if (!Array.isArray(s) || typeof s[0] !== 'string' || typeof s[1] !== 'string') throw bad('a state record is malformed');
    out.push([s[0], s[1] as StoredKind, s[2] === 1]);
  }
  for (let i = 0; i < entries.length; i += 3) {
    const v = entries[i + 2];
    const st = entries[i];
    if (typeof st !== 'number' || st < 0 || st >= out.length || typeof entries[i + 1] !== 'string' || !(v === null || v instanceof Uint8Array)) throw bad('an entry is malformed');
  }
  return { states: out, entries };
}
