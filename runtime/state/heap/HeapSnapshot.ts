// The heap backend's snapshot layout (Flink's HeapSnapshotStrategy): per key group one frame holding
// [[stateName, kind, ttl (0|1), [key, value, key, value, ...]], ...]. Keys are the original keys
// (composite keys as arrays); values exactly as the tables hold them (TTL wrappers included).
// Timers are states of kind 'timer' whose values are timestamps.
import type { StateKind } from '../../api/state/StateDescriptor.js';
import { assignToKeyGroup, type KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import { readKeyGroups, writeKeyGroups, writeKeyGroupsAsync, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';

export type StoredKind = StateKind | 'timer';
const KINDS: ReadonlySet<string> = new Set<StoredKind>(['value', 'list', 'map', 'reducing', 'aggregating', 'timer']);

/** One state table or timer queue, as the snapshot reads it. */
export interface SnapshotSource {
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  forEach(fn: (key: unknown, value: unknown) => void): void;
}

/** One state's entries of one key group: keys and values alternate. */
export interface RestoredEntries {
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  readonly entries: readonly unknown[];
}

type StateRecord = [name: string, kind: StoredKind, ttl: 0 | 1, entries: unknown[]];

export function snapshotKeyGroups(range: KeyGroupRange, maxParallelism: number, sources: Iterable<SnapshotSource>): KeyGroupsSnapshot {
  const start = range.startKeyGroup;
  const n = range.endKeyGroup - start + 1;
  const groups: (StateRecord[] | undefined)[] = new Array(n);
  for (const s of sources) {
    const flat: (unknown[] | undefined)[] = new Array(n);
    s.forEach((key, value) => {
      const kg = assignToKeyGroup(key, maxParallelism);
      if (kg < start || kg >= start + n) {
        throw new Error(`Key ${String(key)} of state '${s.name}' belongs to key group ${kg}, outside this subtask's key groups ${start}..${range.endKeyGroup}; ` +
          'the key selector is probably not deterministic (it must return the same key for a record every time).');
      }
      (flat[kg - start] ??= []).push(key, value);
    });
    for (let i = 0; i < n; i++) {
      const f = flat[i];
      if (f) (groups[i] ??= []).push([s.name, s.kind, s.ttl ? 1 : 0, f]);
    }
  }
  return writeKeyGroups(range, groups, (kg) => {
    const names = (groups[kg - start] ?? []).map((r) => `'${r[0]}'`).join(', ');
    return `Keyed state of key group ${kg} (states ${names})`;
  });
}

/** A source read in the asynchronous phase: its entries as they were when the snapshot began. */
export interface AsyncSnapshotSource {
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  entries(): Iterable<readonly [unknown, unknown]>;
}

const ENTRIES_PER_PAUSE = 20_000;

/** snapshotKeyGroups in slices: `pause()` every few thousand entries and after each key group's frame. */
export async function snapshotKeyGroupsAsync(range: KeyGroupRange, maxParallelism: number, sources: readonly AsyncSnapshotSource[], pause: () => Promise<void>): Promise<KeyGroupsSnapshot> {
  const start = range.startKeyGroup;
  const n = range.endKeyGroup - start + 1;
  const groups: (StateRecord[] | undefined)[] = new Array(n);
  let sincePause = 0;
  for (const s of sources) {
    const flat: (unknown[] | undefined)[] = new Array(n);
    for (const [key, value] of s.entries()) {
      const kg = assignToKeyGroup(key, maxParallelism);
      if (kg < start || kg >= start + n) {
        throw new Error(`Key ${String(key)} of state '${s.name}' belongs to key group ${kg}, outside this subtask's key groups ${start}..${range.endKeyGroup}; ` +
          'the key selector is probably not deterministic (it must return the same key for a record every time).');
      }
      (flat[kg - start] ??= []).push(key, value);
      if (++sincePause >= ENTRIES_PER_PAUSE) { sincePause = 0; await pause(); }
    }
    for (let i = 0; i < n; i++) {
      const f = flat[i];
      if (f) (groups[i] ??= []).push([s.name, s.kind, s.ttl ? 1 : 0, f]);
    }
  }
  return writeKeyGroupsAsync(range, groups, (kg) => {
    const names = (groups[kg - start] ?? []).map((r) => `'${r[0]}'`).join(', ');
    return `Keyed state of key group ${kg} (states ${names})`;
  }, pause);
}

/** Hands every state's entries of the key groups in `range` to `fn`, after checking their shape. */
export function restoreKeyGroups(snapshots: readonly KeyGroupsSnapshot[], range: KeyGroupRange, fn: (kg: number, e: RestoredEntries) => void): void {
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
