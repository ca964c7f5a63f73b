// The heap backend's snapshot layout (Flink's HeapSnapshotStrategy): per key group one frame holding
// [[stateName, kind, ttl (0|1), [key, value, key, value, ...]], ...]. Keys are the original keys
// (composite keys as arrays); values exactly as the tables hold them (TTL wrappers included).
// Timers are states of kind 'timer' whose values are timestamps.
import type { StateKind } from '../../api/state/StateDescriptor.js';
import { assignToKeyGroup, type KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import { DELTA_FORMAT, readKeyGroups, writeKeyGroups, writeKeyGroupsInSteps, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';

export type StoredKind = StateKind | 'timer';
const KINDS: ReadonlySet<string> = new Set<StoredKind>(['value', 'list', 'map', 'reducing', 'aggregating', 'timer']);

/** One state table or timer queue, as the snapshot reads it: its entries as [original key, value]. */
export interface SnapshotSource {
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  entries(): Iterable<readonly [unknown, unknown]>;
}

/** One state's entries of one key group: keys and values alternate. */
export interface RestoredEntries {
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  readonly entries: readonly unknown[];
}

type StateRecord = [name: string, kind: StoredKind, ttl: 0 | 1, entries: unknown[]];

const ENTRIES_PER_PAUSE = 1_000;

/** Sorts every source's entries into key groups; yields every few thousand entries (the asynchronous snapshot pauses there). */
function* groupByKeyGroup(range: KeyGroupRange, maxParallelism: number, sources: Iterable<SnapshotSource>): Generator<void, (StateRecord[] | undefined)[]> {
  const start = range.startKeyGroup;
  const n = range.endKeyGroup - start + 1;
  const groups: (StateRecord[] | undefined)[] = new Array(n);
  let sinceYield = 0;
  for (const s of sources) {
    const flat: (unknown[] | undefined)[] = new Array(n);
    for (const [key, value] of s.entries()) {
      const kg = assignToKeyGroup(key, maxParallelism);
      if (kg < start || kg >= start + n) {
        throw new Error(`Key ${String(key)} of state '${s.name}' belongs to key group ${kg}, outside this subtask's key groups ${start}..${range.endKeyGroup}; ` +
          'the key selector is probably not deterministic (it must return the same key for a record every time).');
      }
      (flat[kg - start] ??= []).push(key, value);
      if (++sinceYield >= ENTRIES_PER_PAUSE) { sinceYield = 0; yield; }
    }
    for (let i = 0; i < n; i++) {
      const f = flat[i];
      if (f) (groups[i] ??= []).push([s.name, s.kind, s.ttl ? 1 : 0, f]);
    }
  }
  return groups;
}

const describeGroup = (range: KeyGroupRange, groups: (StateRecord[] | undefined)[]) => (kg: number): string => {
  const names = (groups[kg - range.startKeyGroup] ?? []).map((r) => `'${r[0]}'`).join(', ');
  return `Keyed state of key group ${kg} (states ${names})`;
};

export function snapshotKeyGroups(range: KeyGroupRange, maxParallelism: number, sources: Iterable<SnapshotSource>): KeyGroupsSnapshot {
  const g = groupByKeyGroup(range, maxParallelism, sources);
  let r = g.next();
  while (!r.done) r = g.next();
  return writeKeyGroups(range, r.value, describeGroup(range, r.value));
}

/**
 * snapshotKeyGroups in steps: yields every few thousand entries and after each key group's frame, so
 * the caller can stop at a time budget and go on later (pausing for the task in between).
 */
export function* snapshotKeyGroupsInSteps(range: KeyGroupRange, maxParallelism: number, sources: readonly SnapshotSource[]): Generator<void, KeyGroupsSnapshot> {
  const groups = yield* groupByKeyGroup(range, maxParallelism, sources);
  return yield* writeKeyGroupsInSteps(range, groups, describeGroup(range, groups));
}

/** Hands every state's entries of the key groups in `range` to `fn`, after checking their shape. */
export function restoreKeyGroups(snapshots: readonly KeyGroupsSnapshot[], range: KeyGroupRange, fn: (kg: number, e: RestoredEntries) => void): void {
  if (snapshots.some((s) => s.format === DELTA_FORMAT)) {
    throw new Error("This state is an incremental checkpoint of the 'leveldb' state backend: it restores only on 'leveldb' (state.backend.type). " +
      'To change the backend, take a savepoint (canonical format) and start from it.');
  }
  readKeyGroups(snapshots, range, (kg, payload) => {
    const bad = (why: string): Error => new Error(`Keyed state of key group ${kg} is corrupt: ${why}.`);
    if (!Array.isArray(payload)) throw bad('not a list of states');
    for (const r of payload as unknown[]) {
      if (!Array.isArray(r) || r.length !== 4) throw bad('a state record is malformed');
      const [name, kind, ttl, entries] = r as unknown[];
      if (typeof name !== 'string' || typeof kind !== 'string' || !KINDS.has(kind)) throw bad(`a state record has name ${String(name)} and kind ${String(kind)}`);
      if ((ttl !== 0 && ttl !== 1) || !Array.isArray(entries) || entries.length % 2 !== 0) throw bad(`the entries of state '${name}' are malformed`);
      fn(kg, { name, kind: kind as StoredKind, ttl: ttl === 1, entries });
    }
  });
}
