// Full snapshot of the LevelDB backend in the canonical KeyGroupsSnapshot format of the heap
// backend (heap/HeapSnapshot.ts), so a checkpoint restores on either backend. One key group is one
// contiguous key range; it is read from a LevelDB snapshot with the asynchronous iterator, turned
// into one frame and dropped before the next key group is read, so the decoded state in memory is
// one key group at a time.
import type { ClassicLevel } from 'classic-level';
import { StateFrameWriter } from '../StateSerializer.js';
import type { KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import { assignToKeyGroup, type KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';
import { decodeKey, keyGroupOf, stateIdOf, u16, userKeyChars } from './LevelDBKeyLayout.js';
import type { StateMeta } from './LevelDBStates.js';
import type { LevelSnapshot } from './WriteBackStore.js';

/** Timers of one service and domain, copied in the synchronous phase: key, timestamp, key, … */
export interface TimerCopy { readonly name: string; readonly entries: readonly unknown[] }

type StateRecord = [name: string, kind: string, ttl: 0 | 1, entries: unknown[]];

const ENTRIES_PER_READ = 1_000;

/** The heap backend's map key of a user key (its MapState layout: canonical key → [userKey, value]). */
function heapUserMapKey(k: unknown): string | number | bigint | boolean {
  return typeof k === 'object' && k !== null && !Array.isArray(k) ? JSON.stringify(k) : keyToMapKey(k);
}

export interface LevelDBSnapshotInput {
  readonly db: ClassicLevel<string, Buffer>;
  readonly snapshot: LevelSnapshot;
  readonly range: KeyGroupRange;
  readonly maxParallelism: number;
  readonly metas: ReadonlyMap<number, StateMeta>;
  readonly timers: readonly TimerCopy[];
  unpack(b: Buffer): unknown;
  pause(): Promise<void>;
}

/** Timers into key groups (they are on the heap already, so this costs no extra memory class). */
function timerRecordsByGroup(range: KeyGroupRange, maxParallelism: number, timers: readonly TimerCopy[]): (StateRecord[] | undefined)[] {
  const start = range.startKeyGroup;
  const n = range.endKeyGroup - start + 1;
  const timerGroups: (StateRecord[] | undefined)[] = new Array(n);
  for (const t of timers) {
    const per: (unknown[] | undefined)[] = new Array(n);
    for (let i = 0; i < t.entries.length; i += 2) {
      const kg = assignToKeyGroup(t.entries[i], maxParallelism);
      if (kg < start || kg >= start + n) throw new Error(`Timer key ${String(t.entries[i])} of '${t.name}' belongs to key group ${kg}, outside ${start}..${range.endKeyGroup}.`);
      (per[kg - start] ??= []).push(t.entries[i], t.entries[i + 1]);
    }
    for (let i = 0; i < n; i++) { const p = per[i]; if (p) (timerGroups[i] ??= []).push([t.name, 'timer', 0, p]); }
  }
  return timerGroups;
}

/** The timers alone, in the canonical format (incremental checkpoints keep them next to the chain). */
export function writeTimersSnapshot(range: KeyGroupRange, maxParallelism: number, timers: readonly TimerCopy[]): KeyGroupsSnapshot | undefined {
  if (timers.length === 0) return undefined;
  const groups = timerRecordsByGroup(range, maxParallelism, timers);
  const offsets = new Array<number>(groups.length).fill(-1);
  const w = new StateFrameWriter();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g) offsets[i] = w.write(g, () => `Timers of key group ${range.startKeyGroup + i}`);
  }
  return { startKeyGroup: range.startKeyGroup, endKeyGroup: range.endKeyGroup, offsets, data: w.finish() };
}

export async function writeLevelDBSnapshot(input: LevelDBSnapshotInput): Promise<KeyGroupsSnapshot> {
  const { range, metas } = input;
  const start = range.startKeyGroup;
  const n = range.endKeyGroup - start + 1;
  const timerGroups = timerRecordsByGroup(range, input.maxParallelism, input.timers);

  const offsets = new Array<number>(n).fill(-1);
  const w = new StateFrameWriter();
  const it = input.db.iterator({ snapshot: input.snapshot, gte: u16(start), lt: u16(range.endKeyGroup + 1), keyEncoding: 'utf8', valueEncoding: 'buffer' });
  try {
    let kg = start;
    let records = new Map<number, StateRecord>();
    // The map state being assembled: its (kg, state, key) prefix, index and entries by user key chars.
    let mapPrefix = '';
    let mapKey: unknown;
    let mapIndex: unknown[] = [];
    let mapValues = new Map<string, unknown>();
    let mapMeta: StateMeta | undefined;
    const endMap = (): void => {
      if (mapMeta === undefined) return;
      const m = new Map<unknown, [unknown, unknown]>();
      for (const k of mapIndex) {
        const uk = userKeyChars(k);
        if (mapValues.has(uk)) m.set(heapUserMapKey(k), [k, mapValues.get(uk)]);
      }
      if (m.size > 0) record(mapMeta).push(mapKey, m);
      mapMeta = undefined; mapPrefix = ''; mapIndex = []; mapValues = new Map();
    };
    const record = (meta: StateMeta): unknown[] => {
      let r = records.get(meta.id);
      if (!r) { r = [meta.name, meta.kind, meta.ttl ? 1 : 0, []]; records.set(meta.id, r); }
      return r[3];
    };
    const endGroup = async (): Promise<void> => {
      endMap();
      const all = [...records.values(), ...(timerGroups[kg - start] ?? [])];
      if (all.length > 0) {
        offsets[kg - start] = w.write(all, () => `Keyed state of key group ${kg} (states ${all.map((r) => `'${r[0]}'`).join(', ')})`);
        await input.pause();
      }
      records = new Map();
    };
    for (;;) {
      const entries = await it.nextv(ENTRIES_PER_READ);
      if (entries.length === 0) break;
      for (const [k, v] of entries) {
        const g = keyGroupOf(k);
        while (g > kg) { await endGroup(); kg++; }
        const meta = metas.get(stateIdOf(k));
        if (meta === undefined) continue; // a state registered after the snapshot began has no entry in it
        const { key, end } = decodeKey(k, 4);
        if (meta.kind !== 'map') { record(meta).push(key, input.unpack(v)); continue; }
        const prefix = k.slice(0, end);
        if (end === k.length) {
          endMap();
          mapMeta = meta; mapPrefix = prefix; mapKey = key; mapIndex = input.unpack(v) as unknown[];
        } else if (prefix === mapPrefix) {
          mapValues.set(k.slice(end), input.unpack(v));
        } else {
          throw new Error(`LevelDB state of '${meta.name}' is corrupt: a map entry of key ${String(key)} has no index entry.`);
        }
      }
      await input.pause();
    }
    for (; kg <= range.endKeyGroup; kg++) await endGroup();
  } finally {
    await it.close();
  }
  return { startKeyGroup: start, endKeyGroup: range.endKeyGroup, offsets, data: w.finish() };
}
