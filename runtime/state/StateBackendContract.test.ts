// One contract for every keyed state backend ('hashmap' and 'leveldb', built as the task builds
// them: StateBackendLoader + TTL decorator). Cases ported from Flink's StateBackendTestBase
// (testValueState, testListState*, testMapState*, testReducingState, testAggregatingState,
// testKeyGroupSnapshotRestoreScaleUp/Down, testSnapshotNonAccessedState, testNumStateEntries) and
// TtlStateTestBase (testNonExpiredState, testExpiredStateVisibility, testOnReadAndWrite*,
// testSnapshotChangeRestore), plus canonical snapshots moving between the two backends.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { waitFor } from '../testing/waitFor.js';
import { Configuration } from '../configuration/Configuration.js';
import { StateBackendOptions } from '../configuration/index.js';
import { createKeyedStateBackend } from './StateBackendLoader.js';
import type { KeyedStateBackend } from './KeyedStateBackend.js';
import type { KeyGroupsSnapshot } from './KeyGroupsSnapshot.js';
import { TtlKeyedStateBackend } from './ttl/TtlKeyedStateBackend.js';
import { LevelDBKeyedStateBackend } from './leveldb/LevelDBKeyedStateBackend.js';
import {
  ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../api/state/StateDescriptor.js';
import { StateTtlConfig } from '../api/state/StateTtlConfig.js';
import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../api/state/State.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex, type KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';

type Kind = 'hashmap' | 'leveldb';
const MAX_P = 128;
const FULL: KeyGroupRange = { startKeyGroup: 0, endKeyGroup: MAX_P - 1 };

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-state-contract-')); });
afterAll(() => {
  try {
    // Every backend deleted its directory on dispose.
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

class Clock { now = 1_000; readonly fn = (): number => this.now; }

const made: KeyedStateBackend[] = [];
async function backend(kind: Kind, opts: { range?: KeyGroupRange; restore?: readonly KeyGroupsSnapshot[]; clock?: Clock; conf?: Record<string, string>; keyIteration?: boolean } = {}): Promise<KeyedStateBackend> {
  const conf = new Configuration();
  conf.set(StateBackendOptions.STATE_BACKEND, kind);
  for (const [k, v] of Object.entries(opts.conf ?? {})) conf.setString(k, v, 'test');
  const b = createKeyedStateBackend(conf, {
    keyGroupRange: opts.range ?? FULL, maxParallelism: MAX_P, localDirs: [dir], jobId: 'job', operatorId: '1', subtaskIndex: 0, owner: 'contract (1/1)',
    clock: (opts.clock ?? new Clock()).fn,
  });
  if (opts.restore) b.restore(opts.restore);
  if (opts.keyIteration) b.enableKeyIteration?.();
  await b.open?.();
  made.push(b);
  return b;
}
async function dispose(b: KeyedStateBackend): Promise<void> {
  const inner = b instanceof TtlKeyedStateBackend ? b.inner : b;
  if (inner instanceof LevelDBKeyedStateBackend) await inner.close(); else b.dispose();
}
const snapshot = (b: KeyedStateBackend): Promise<KeyGroupsSnapshot> => b.beginSnapshot().serialize(async () => {});

/** The TTL cleanup tests' end state: of 200 keys' 'tl'/'tm' entries only the second writes of keys 0..99 are left (read without TTL). */
async function expectOnlyLiveEntriesLeft(kind: Kind, b: KeyedStateBackend): Promise<void> {
  const r = await backend(kind, { restore: [await snapshot(b)] });
  const rl = r.getPartitionedState<ListState<{ v: number }>>(new ListStateDescriptor<{ v: number }>('tl'));
  const rm = r.getPartitionedState<MapState<string, { v: number }>>(new MapStateDescriptor<string, { v: number }>('tm'));
  for (let i = 0; i < 200; i++) {
    r.setCurrentKey(i);
    expect([...rl.get()].map((x) => x.v)).toEqual(i < 100 ? [-i] : []);
    expect([...rm.keys()]).toEqual(i < 100 ? ['new'] : []);
  }
}

const valueDesc = (): ValueStateDescriptor<unknown> => new ValueStateDescriptor<unknown>('value');
const listDesc = (): ListStateDescriptor<unknown> => new ListStateDescriptor<unknown>('list');
const mapDesc = (): MapStateDescriptor<unknown, unknown> => new MapStateDescriptor<unknown, unknown>('map');
const sumDesc = (): ReducingStateDescriptor<number> => new ReducingStateDescriptor<number>('sum', (a, b) => a + b);
interface Avg { sum: number; n: number }
const avgFn = {
  createAccumulator: (): Avg => ({ sum: 0, n: 0 }),
  add: (v: number, a: Avg): Avg => ({ sum: a.sum + v, n: a.n + 1 }),
  getResult: (a: Avg): number => a.sum / a.n,
  merge: (a: Avg, b: Avg): Avg => ({ sum: a.sum + b.sum, n: a.n + b.n }),
};
const avgDesc = (): AggregatingStateDescriptor<number, Avg, number> => new AggregatingStateDescriptor('avg', avgFn);
const withTtl = <D extends { enableTimeToLive(c: StateTtlConfig): void }>(d: D, cfg: StateTtlConfig): D => { d.enableTimeToLive(cfg); return d; };

const KEYS: unknown[] = ['a', '', 42, -7.5, 10n, -(2n ** 70n), true, ['u', 1], ['u', [2n, false]], [], '\u0000not-composite', 'ü€😀'];
const rich = (i: number): unknown => ({
  i, neg0: -0, big: 2n ** 65n + BigInt(i), date: new Date(1000 + i), bytes: new Uint8Array([i & 255, 1]),
  m: new Map<unknown, unknown>([[1, { x: i }], ['s', null]]), o: { nested: [null, 'x'] }, set: new Set([i]),
});
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function fill(b: KeyedStateBackend): void {
  KEYS.forEach((k, i) => {
    b.setCurrentKey(k);
    b.getPartitionedState<ValueState<unknown>>(valueDesc()).update(rich(i));
    const l = b.getPartitionedState<ListState<unknown>>(listDesc());
    l.add(i); l.add(`two${i}`); l.addAll([{ three: [i] }]);
    const m = b.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    m.put('k', i); m.put(5, 'five'); m.put(['x', i], 'arrayUserKey'); m.put({ obj: i }, 'objUserKey');
    const r = b.getPartitionedState<ReducingState<number>>(sumDesc()); r.add(i); r.add(100);
    const a = b.getPartitionedState<AggregatingState<number, number>>(avgDesc()); a.add(2); a.add(4 + i);
  });
}

function check(b: KeyedStateBackend, keys = KEYS): void {
  for (const k of keys) {
    const i = KEYS.findIndex((x) => same(x, k));
    b.setCurrentKey(k);
    const v = b.getPartitionedState<ValueState<unknown>>(valueDesc()).value() as { neg0: number };
    expect(v).toEqual(rich(i));
    expect(Object.is(v.neg0, -0)).toBe(true);
    expect([...b.getPartitionedState<ListState<unknown>>(listDesc()).get()]).toEqual([i, `two${i}`, { three: [i] }]);
    const m = b.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    expect([...m.entries()]).toEqual([['k', i], [5, 'five'], [['x', i], 'arrayUserKey'], [{ obj: i }, 'objUserKey']]);
    expect(m.get(['x', i])).toBe('arrayUserKey');
    expect(m.get({ obj: i })).toBe('objUserKey');
    expect(b.getPartitionedState<ReducingState<number>>(sumDesc()).get()).toBe(i + 100);
    expect(b.getPartitionedState<AggregatingState<number, number>>(avgDesc()).get()).toBe((2 + 4 + i) / 2);
  }
}

describe.each<Kind>(['hashmap', 'leveldb'])('state backend contract: %s', (kind) => {
  afterAll(async () => { for (const b of made.splice(0)) await dispose(b); });

  it('ValueState: default, update, clear, per key (testValueState)', async () => {
    const b = await backend(kind);
    const s = b.getPartitionedState<ValueState<string>>(new ValueStateDescriptor<string>('v', 'dflt'));
    b.setCurrentKey('a');
    expect(s.value()).toBe('dflt');
    s.update('1');
    b.setCurrentKey('b');
    expect(s.value()).toBe('dflt');
    s.update('2');
    b.setCurrentKey('a');
    expect(s.value()).toBe('1');
    s.update(undefined);
    expect(s.value()).toBe('dflt');
    b.setCurrentKey('b');
    expect(s.value()).toBe('2');
    s.clear();
    expect(s.value()).toBe('dflt');
    expect(b.numKeys('v')).toBe(0);
  });

  it('a value read is a copy: mutating it changes nothing until update', async () => {
    const b = await backend(kind);
    const s = b.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor<{ n: number }>('v'));
    b.setCurrentKey(1);
    s.update({ n: 1 });
    const v = s.value()!;
    v.n = 2;
    s.update(v);
    expect(s.value()).toEqual({ n: 2 });
  });

  it('ListState: add, addAll, update, empty get, null refused (testListState*)', async () => {
    const b = await backend(kind);
    const s = b.getPartitionedState<ListState<number>>(new ListStateDescriptor<number>('l'));
    b.setCurrentKey('k');
    expect([...s.get()]).toEqual([]);
    s.add(1); s.addAll([2, 3]);
    expect([...s.get()]).toEqual([1, 2, 3]);
    s.update([9]);
    expect([...s.get()]).toEqual([9]);
    s.update([]);
    expect([...s.get()]).toEqual([]);
    expect(() => s.add(null as unknown as number)).toThrow(/null\/undefined/);
    s.addAll([]);
    expect([...s.get()]).toEqual([]);
    expect(b.numKeys('l')).toBe(0);
  });

  it('MapState: put, get, remove, contains, putAll, iteration in insertion order, isEmpty (testMapState*)', async () => {
    const b = await backend(kind);
    const s = b.getPartitionedState<MapState<unknown, string>>(new MapStateDescriptor<unknown, string>('m'));
    b.setCurrentKey('k1');
    expect(s.isEmpty()).toBe(true);
    s.put(3, 'c'); s.put('a', 'x'); s.put(['t', 1], 'tuple'); s.put(1, 'one');
    s.put('a', 'y');
    expect([...s.keys()]).toEqual([3, 'a', ['t', 1], 1]);
    expect([...s.values()]).toEqual(['c', 'y', 'tuple', 'one']);
    expect(s.contains(['t', 1])).toBe(true);
    expect(s.contains(['t', 2])).toBe(false);
    s.remove(3);
    s.remove('missing');
    expect([...s.entries()]).toEqual([['a', 'y'], [['t', 1], 'tuple'], [1, 'one']]);
    s.putAll({ p: 'q' });
    s.putAll(new Map([[2, 'two']]));
    expect(s.get('p')).toBe('q');
    expect(s.get(2)).toBe('two');
    b.setCurrentKey('k2');
    expect(s.isEmpty()).toBe(true);
    expect(s.get('a')).toBeUndefined();
    s.put('only', 'k2');
    b.setCurrentKey('k1');
    for (const k of [...s.keys()]) s.remove(k);
    expect(s.isEmpty()).toBe(true);
    expect(b.numKeys('m')).toBe(1);
    b.setCurrentKey('k2');
    s.clear();
    expect(s.isEmpty()).toBe(true);
    expect(b.numKeys('m')).toBe(0);
    expect(() => s.put(null, 'x')).toThrow(/null\/undefined/);
  });

  it('ReducingState and AggregatingState (testReducingState, testAggregatingState)', async () => {
    const b = await backend(kind);
    const r = b.getPartitionedState<ReducingState<number>>(sumDesc());
    const a = b.getPartitionedState<AggregatingState<number, number>>(avgDesc());
    b.setCurrentKey('x');
    expect(r.get()).toBeUndefined();
    expect(a.get()).toBeUndefined();
    r.add(1); r.add(2); a.add(1); a.add(3);
    b.setCurrentKey('y');
    r.add(10); a.add(10);
    b.setCurrentKey('x');
    expect(r.get()).toBe(3);
    expect(a.get()).toBe(2);
    r.clear(); a.clear();
    expect(r.get()).toBeUndefined();
    expect(a.get()).toBeUndefined();
    b.setCurrentKey('y');
    expect(r.get()).toBe(10);
    expect(a.get()).toBe(10);
  });

  it('clearCurrentKey drops every state of the key only; numKeys counts keys with an entry (testNumStateEntries)', async () => {
    const b = await backend(kind);
    fill(b);
    expect(b.numKeys('value')).toBe(KEYS.length);
    expect(b.numKeys('map')).toBe(KEYS.length);
    b.setCurrentKey(KEYS[0]);
    b.clearCurrentKey();
    expect(b.getPartitionedState<ValueState<unknown>>(valueDesc()).value()).toBeUndefined();
    expect(b.getPartitionedState<MapState<unknown, unknown>>(mapDesc()).isEmpty()).toBe(true);
    expect([...b.getPartitionedState<ListState<unknown>>(listDesc()).get()]).toEqual([]);
    expect(b.numKeys('value')).toBe(KEYS.length - 1);
    expect(b.numKeys('map')).toBe(KEYS.length - 1);
    check(b, KEYS.slice(1));
  });

  it('a state requested as another kind is refused by name', async () => {
    const b = await backend(kind);
    b.getPartitionedState(new ValueStateDescriptor('s'));
    expect(() => b.getPartitionedState(new ListStateDescriptor('s'))).toThrow(/'s' was registered as value state/);
  });

  it('snapshot and restore round-trip every state kind, composite keys and rich values', async () => {
    const a = await backend(kind);
    fill(a);
    const s = await snapshot(a);
    const b = await backend(kind, { restore: [s] });
    check(b);
    expect(b.numKeys('value')).toBe(KEYS.length);
    // testSnapshotNonAccessedState: restored states nobody asked for are in the next snapshot again.
    const c = await backend(kind, { restore: [await snapshot(b)] });
    check(c);
  });

  it('restores canonical snapshots of the other backend, and the other backend restores its snapshots', async () => {
    const other: Kind = kind === 'hashmap' ? 'leveldb' : 'hashmap';
    const a = await backend(other);
    fill(a);
    const b = await backend(kind, { restore: [await snapshot(a)] });
    check(b);
    b.setCurrentKey('a');
    b.getPartitionedState<MapState<unknown, unknown>>(mapDesc()).put('added', 1);
    const c = await backend(other, { restore: [await snapshot(b)] });
    c.setCurrentKey('a');
    expect(c.getPartitionedState<MapState<unknown, unknown>>(mapDesc()).get('added')).toBe(1);
    check(c, KEYS.filter((k) => k !== 'a'));
  });

  it('the snapshot holds the state of beginSnapshot(), while processing goes on with later updates', async () => {
    const b = await backend(kind, { conf: { 'state.backend.leveldb.write-batch-size': '1kb' } });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('n'));
    for (let i = 0; i < 2000; i++) { b.setCurrentKey(i); v.update(i); }
    const pending = b.beginSnapshot();
    for (let i = 0; i < 2000; i++) { b.setCurrentKey(i); v.update(-1); }
    for (let i = 2000; i < 2100; i++) { b.setCurrentKey(i); v.update(i); }
    const s = await pending.serialize(async () => { await new Promise((r) => setImmediate(r)); });
    const r = await backend(kind, { restore: [s] });
    const rv = r.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('n'));
    for (let i = 0; i < 2100; i++) { r.setCurrentKey(i); expect(rv.value()).toBe(i < 2000 ? i : undefined); }
    for (let i = 0; i < 2000; i++) { b.setCurrentKey(i); expect(v.value()).toBe(-1); }
  });

  it('rescale 1 → 3 → 2: every key ends up exactly in the subtask owning its key group (testKeyGroupSnapshotRestoreScaleUp/Down)', async () => {
    const a = await backend(kind);
    const v = (b: KeyedStateBackend): ValueState<number> => b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('n'));
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`);
    for (const [i, k] of keys.entries()) { a.setCurrentKey(k); v(a).update(i); }
    const s1 = await snapshot(a);
    const three: KeyGroupsSnapshot[] = [];
    for (let sub = 0; sub < 3; sub++) {
      const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 3, sub);
      const b = await backend(kind, { range, restore: [s1] });
      let n = 0;
      for (const [i, k] of keys.entries()) {
        const kg = assignToKeyGroup(k, MAX_P);
        if (kg < range.startKeyGroup || kg > range.endKeyGroup) continue;
        b.setCurrentKey(k);
        expect(v(b).value()).toBe(i);
        n++;
      }
      expect(b.numKeys('n')).toBe(n);
      three.push(await snapshot(b));
    }
    let total = 0;
    for (let sub = 0; sub < 2; sub++) {
      const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 2, sub);
      const b = await backend(kind, { range, restore: three });
      for (const [i, k] of keys.entries()) {
        const kg = assignToKeyGroup(k, MAX_P);
        if (kg < range.startKeyGroup || kg > range.endKeyGroup) continue;
        b.setCurrentKey(k);
        expect(v(b).value()).toBe(i);
      }
      total += b.numKeys('n');
    }
    expect(total).toBe(keys.length);
  });

  it('timers join the snapshot and come back to the service of the same name', async () => {
    const a = await backend(kind);
    const timers = { event: [[5, 'a'], [7, ['c', 1]]] as [number, unknown][], processing: [[9, 42]] as [number, unknown][] };
    a.registerTimerService('user-timers', {
      forEachTimer: (d, fn) => { for (const [ts, k] of timers[d === 'event' ? 'event' : 'processing']) fn(ts, k); },
    });
    const b = await backend(kind, { restore: [await snapshot(a)] });
    expect(b.hasRestoredTimers('user-timers')).toBe(true);
    const r = b.registerTimerService('user-timers', { forEachTimer: () => {} });
    expect([...r.event].sort((x, y) => x[0] - y[0])).toEqual(timers.event);
    expect(r.processing).toEqual(timers.processing);
  });

  it('applyToAllKeys visits every key with state of the descriptor, once, and may update it; also after restore and beyond the cache', async () => {
    const tiny = { 'state.backend.leveldb.cache.size': '8kb', 'state.backend.leveldb.write-batch-size': '2kb' };
    const b = await backend(kind, { keyIteration: true, conf: tiny });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('n'));
    const other = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('other'));
    const many = Array.from({ length: 500 }, (_, i) => i);
    const keys: unknown[] = [...KEYS, ...many.map((i) => `s${i}`), ...many.map((i) => 1000 + i)];
    keys.forEach((k, i) => { b.setCurrentKey(k); v.update(i); });
    b.setCurrentKey('only-other'); other.update(1);
    b.setCurrentKey(42); v.clear(); // removed keys are not visited
    b.setCurrentKey('a');
    const expected = keys.filter((k) => k !== 42);
    const seen: unknown[] = [];
    b.applyToAllKeys<ValueState<number>>(new ValueStateDescriptor<number>('n'), (k, s) => { seen.push(k); s.update(s.value()! + 10_000); });
    const norm = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x, (_k, y: unknown) => (typeof y === 'bigint' ? `${y}n` : y))).sort();
    expect(norm(seen)).toEqual(norm(expected));
    expect(b.getCurrentKey()).toBe('a'); // the key of before is back
    for (const k of expected) { b.setCurrentKey(k); expect(v.value()).toBe(keys.findIndex((x) => same(x, k)) + 10_000); }
    const r = await backend(kind, { keyIteration: true, restore: [await snapshot(b)] });
    const after: unknown[] = [];
    r.applyToAllKeys(new ValueStateDescriptor<number>('n'), (k) => after.push(k));
    expect(norm(after)).toEqual(norm(expected));
  });

  it.runIf(kind === 'leveldb')('applyToAllKeys without key iteration names what enables it', async () => {
    const b = await backend(kind);
    expect(() => b.applyToAllKeys(new ValueStateDescriptor('n'), () => {})).toThrow(/'n'.*key iteration.*keyed broadcast/);
  });

  it('many keys beyond the cache: values survive eviction and batches (leveldb writes through)', async () => {
    const b = await backend(kind, { conf: { 'state.backend.leveldb.cache.size': '64kb', 'state.backend.leveldb.write-batch-size': '16kb' } });
    const v = b.getPartitionedState<ValueState<string>>(new ValueStateDescriptor<string>('big'));
    const payload = 'x'.repeat(200);
    for (let i = 0; i < 5000; i++) { b.setCurrentKey(i); v.update(payload + i); }
    for (let i = 0; i < 5000; i += 7) { b.setCurrentKey(i); expect(v.value()).toBe(payload + i); }
    expect(b.numKeys('big')).toBe(5000);
  });

  it('random updates of list, value and map state match a model (tiny cache and batches, batches landing in between)', async () => {
    const b = await backend(kind, { conf: { 'state.backend.leveldb.cache.size': '4kb', 'state.backend.leveldb.write-batch-size': '1kb' } });
    const l = b.getPartitionedState<ListState<number>>(new ListStateDescriptor<number>('l'));
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    const m = b.getPartitionedState<MapState<number, number>>(new MapStateDescriptor<number, number>('m'));
    const ml = new Map<string, number[]>(), mv = new Map<string, number>(), mm = new Map<string, Map<number, number>>();
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 48271) % 2147483647; return seed % n; };
    for (let i = 0; i < 20_000; i++) {
      const key = `k${rnd(300)}`;
      b.setCurrentKey(key);
      const list = [...l.get()];
      expect(list).toEqual(ml.get(key) ?? []);
      expect(v.value()).toBe(mv.get(key));
      const next = [...list, i].slice(-5);
      l.update(next); ml.set(key, next);
      v.update(i); mv.set(key, i);
      const uk = rnd(4);
      const mk = mm.get(key) ?? new Map<number, number>();
      if (rnd(3) === 0) { m.remove(uk); mk.delete(uk); } else { m.put(uk, i); mk.set(uk, i); }
      mm.set(key, mk);
      expect(new Map(m.entries())).toEqual(mk);
      if (i % 97 === 0) await new Promise((r) => setImmediate(r));
    }
  });

  it.runIf(kind === 'leveldb')('an unusable local directory fails the open naming the directory and the keys to fix', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, 'leveldb');
    conf.setString('state.backend.leveldb.localdir', file, 'test');
    const b = createKeyedStateBackend(conf, { keyGroupRange: FULL, maxParallelism: MAX_P, localDirs: [], jobId: 'job', operatorId: '9', subtaskIndex: 0, owner: 'Count (1/1)' });
    await expect(b.open!()).rejects.toThrow(/Count \(1\/1\): cannot create the LevelDB state directory .*not-a-dir.*state\.backend\.leveldb\.localdir/);
    rmSync(file);
  });

  describe('TTL', () => {
    const cfg = (ms: number, f?: (x: ReturnType<typeof StateTtlConfig.newBuilder>) => unknown): StateTtlConfig => {
      const bld = StateTtlConfig.newBuilder(ms);
      f?.(bld);
      return bld.build();
    };

    it('value, list, map, reducing and aggregating state expire after the TTL (testNonExpiredState, testExpiredState)', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const c = cfg(100);
      const v = b.getPartitionedState<ValueState<string>>(withTtl(new ValueStateDescriptor<string>('v', 'dflt'), c));
      const l = b.getPartitionedState<ListState<number>>(withTtl(new ListStateDescriptor<number>('l'), c));
      const m = b.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('m'), c));
      const r = b.getPartitionedState<ReducingState<number>>(withTtl(sumDesc(), c));
      const a = b.getPartitionedState<AggregatingState<number, number>>(withTtl(avgDesc(), c));
      b.setCurrentKey('k');
      v.update('x'); l.add(1); m.put('a', 1); r.add(1); a.add(4);
      clock.now += 50;
      l.add(2); m.put('b', 2); r.add(2); a.add(6);
      expect(v.value()).toBe('x');
      expect([...l.get()]).toEqual([1, 2]);
      expect([...m.entries()]).toEqual([['a', 1], ['b', 2]]);
      expect(r.get()).toBe(3);
      expect(a.get()).toBe(5);
      clock.now += 60; // 110 after the first writes, 60 after the second
      expect(v.value()).toBe('dflt');
      expect([...l.get()]).toEqual([2]);
      expect([...m.entries()]).toEqual([['b', 2]]);
      expect(m.contains('a')).toBe(false);
      expect(r.get()).toBe(3); // the last add refreshed the reduced value
      clock.now += 100;
      expect([...l.get()]).toEqual([]);
      expect(m.isEmpty()).toBe(true);
      expect(r.get()).toBeUndefined();
      expect(a.get()).toBeUndefined();
      r.add(7);
      expect(r.get()).toBe(7); // an expired value is replaced, not reduced
      a.add(1);
      expect(a.get()).toBe(1);
    });

    it('OnReadAndWrite refreshes on read, OnCreateAndWrite does not (testOnReadAndWrite*)', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const rw = b.getPartitionedState<ValueState<string>>(withTtl(new ValueStateDescriptor<string>('rw'), cfg(100, (x) => x.updateTtlOnReadAndWrite())));
      const cw = b.getPartitionedState<ValueState<string>>(withTtl(new ValueStateDescriptor<string>('cw'), cfg(100)));
      const rm = b.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('rm'), cfg(100, (x) => x.updateTtlOnReadAndWrite())));
      const ra = b.getPartitionedState<AggregatingState<number, number>>(withTtl(avgDesc(), cfg(100, (x) => x.updateTtlOnReadAndWrite())));
      b.setCurrentKey(1);
      rw.update('r'); cw.update('c'); rm.put('a', 1); ra.add(3);
      for (let i = 0; i < 3; i++) { clock.now += 60; expect(rw.value()).toBe('r'); expect(rm.get('a')).toBe(1); expect(ra.get()).toBe(3); }
      expect(cw.value()).toBeUndefined();
      clock.now += 100;
      expect(rw.value()).toBeUndefined();
      expect(rm.get('a')).toBeUndefined();
      expect(ra.get()).toBeUndefined();
    });

    it('ReturnExpiredIfNotCleanedUp returns an expired value once, then it is gone (testExpiredStateVisibility)', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const v = b.getPartitionedState<ValueState<string>>(withTtl(new ValueStateDescriptor<string>('v'), cfg(10, (x) => x.returnExpiredIfNotCleanedUp())));
      b.setCurrentKey('k');
      v.update('old');
      clock.now += 20;
      expect(v.value()).toBe('old');
      expect(v.value()).toBeUndefined();
    });

    it('restored TTL state keeps its timestamps, on either backend (testSnapshotChangeRestore)', async () => {
      const clock = new Clock();
      const other: Kind = kind === 'hashmap' ? 'leveldb' : 'hashmap';
      const a = await backend(other, { clock });
      const d = (): ValueStateDescriptor<string> => withTtl(new ValueStateDescriptor<string>('v'), cfg(100));
      a.getPartitionedState<ValueState<string>>(d());
      a.setCurrentKey('early'); a.getPartitionedState<ValueState<string>>(d()).update('e');
      clock.now += 50;
      a.setCurrentKey('late'); a.getPartitionedState<ValueState<string>>(d()).update('l');
      const b = await backend(kind, { clock, restore: [await snapshot(a)] });
      const v = b.getPartitionedState<ValueState<string>>(d());
      clock.now += 60;
      b.setCurrentKey('early'); expect(v.value()).toBeUndefined();
      b.setCurrentKey('late'); expect(v.value()).toBe('l');
    });

    it('cleanupFullSnapshot leaves expired entries out of the snapshot; without it they stay until read', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const full = b.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('full'), cfg(100, (x) => x.cleanupFullSnapshot())));
      const lazy = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('lazy'), cfg(100)));
      const fl = b.getPartitionedState<ListState<number>>(withTtl(new ListStateDescriptor<number>('fl'), cfg(100, (x) => x.cleanupFullSnapshot())));
      for (let i = 0; i < 10; i++) { b.setCurrentKey(i); full.put('old', i); lazy.update(i); fl.add(i); }
      clock.now += 80;
      for (let i = 0; i < 5; i++) { b.setCurrentKey(i); full.put('new', i); fl.add(100 + i); }
      clock.now += 30; // 'old' entries expired, 'new' ones live
      const r = await backend(kind === 'hashmap' ? 'hashmap' : 'leveldb', { clock, restore: [await snapshot(b)] });
      expect(r.numKeys('full')).toBe(5);
      expect(r.numKeys('fl')).toBe(5);
      expect(r.numKeys('lazy')).toBe(10);
      const rf = r.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('full'), cfg(100)));
      r.setCurrentKey(3);
      expect([...rf.entries()]).toEqual([['new', 3]]);
    });

    it.runIf(kind === 'hashmap')('cleanupIncrementally(n): each access of the state checks the next n entries, wrapping around (heap, Flink\'s incremental cleanup)', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const c = cfg(100, (x) => x.cleanupIncrementally(10, false));
      const v = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('tv'), c));
      const l = b.getPartitionedState<ListState<number>>(withTtl(new ListStateDescriptor<number>('tl'), c));
      const m = b.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('tm'), c));
      const plain = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('none'), cfg(100)));
      for (let i = 0; i < 200; i++) { b.setCurrentKey(i); v.update(i); l.add(i); m.put('old', i); plain.update(i); }
      clock.now += 80;
      for (let i = 0; i < 100; i++) { b.setCurrentKey(i); v.update(-i); l.add(-i); m.put('new', i); }
      clock.now += 30; // the first writes expired, the second ones live
      // 30 accesses of key 0 check 300 entries of each state: every one of the 200 once, some twice.
      b.setCurrentKey(0);
      for (let i = 0; i < 30; i++) { v.value(); l.get(); m.get('new'); plain.value(); }
      expect(b.numKeys('tv')).toBe(100);
      expect(b.numKeys('tl')).toBe(100);
      expect(b.numKeys('tm')).toBe(100);
      expect(b.numKeys('none')).toBe(199); // no incremental cleanup: expired entries stay until read (key 0's was)
      await expectOnlyLiveEntriesLeft(kind, b);
    });

    it.runIf(kind === 'hashmap')('cleanupIncrementally(n, runForEveryRecord): records clean up expired entries of a state nobody reads', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock });
      const v = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('tv'), cfg(100, (x) => x.cleanupIncrementally(5, true))));
      const w = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('tw'), cfg(100, (x) => x.cleanupIncrementally(5, false))));
      for (let i = 0; i < 50; i++) { b.setCurrentKey(i); v.update(i); w.update(i); }
      clock.now += 200;
      for (let i = 0; i < 12; i++) b.setCurrentKey(1000 + i); // records of other keys, no state access
      expect(b.numKeys('tv')).toBe(0);
      expect(b.numKeys('tw')).toBe(50);
    });

    it.runIf(kind === 'leveldb')('cleanupIncrementally: a background scan removes expired entries nobody reads (LevelDB)', async () => {
      const clock = new Clock();
      const b = await backend(kind, { clock, conf: { 'state.backend.leveldb.cache.size': '8kb', 'state.backend.leveldb.write-batch-size': '2kb' } });
      const c = cfg(100, (x) => x.cleanupIncrementally(10, false));
      const v = b.getPartitionedState<ValueState<number>>(withTtl(new ValueStateDescriptor<number>('tv'), c));
      const l = b.getPartitionedState<ListState<number>>(withTtl(new ListStateDescriptor<number>('tl'), c));
      const m = b.getPartitionedState<MapState<string, number>>(withTtl(new MapStateDescriptor<string, number>('tm'), c));
      for (let i = 0; i < 200; i++) { b.setCurrentKey(i); v.update(i); l.add(i); m.put('old', i); }
      clock.now += 80;
      for (let i = 0; i < 100; i++) { b.setCurrentKey(i); v.update(-i); l.add(-i); m.put('new', i); }
      clock.now += 30; // the first writes expired, the second ones live
      const inner = (b as TtlKeyedStateBackend).inner as LevelDBKeyedStateBackend;
      await inner.store.drain(); // the scan reads LevelDB: what is still being written is cleaned by a later pass
      await inner.ttlCleanupPass();
      expect(b.numKeys('tv')).toBe(100);
      expect(b.numKeys('tl')).toBe(100);
      expect(b.numKeys('tm')).toBe(100);
      // What is left is exactly the live part (read without TTL filtering: restore into plain states).
      await expectOnlyLiveEntriesLeft(kind, b);
      // The scan also runs by itself.
      clock.now += 200;
      await waitFor('background cleanup', () => b.numKeys('tv') === 0 && b.numKeys('tm') === 0, 10_000, 20);
    });

    it('a TTL state requested without TTL is refused', async () => {
      const b = await backend(kind);
      b.getPartitionedState(withTtl(new ValueStateDescriptor('t'), cfg(5)));
      expect(() => b.getPartitionedState(new ValueStateDescriptor('t'))).toThrow(/registered with TTL/);
      b.getPartitionedState(new ValueStateDescriptor('plain'));
      expect(() => b.getPartitionedState(withTtl(new ValueStateDescriptor('plain'), cfg(5)))).toThrow(/registered without TTL/);
    });
  });
});
