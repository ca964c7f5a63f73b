// Modelled on Flink's StateBackendTestBase (testValueState… testKeyGroupSnapshotRestoreScaleUp/Down)
// and the heap backend's snapshot tests.
import { describe, it, expect } from 'vitest';
import { HeapKeyedStateBackend } from './HeapKeyedStateBackend.js';
import {
  ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../../api/state/StateDescriptor.js';
import { StateTtlConfig } from '../../api/state/StateTtlConfig.js';
import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../api/state/State.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex, type KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import { writeKeyGroups, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';

const MAX_P = 128;
const FULL: KeyGroupRange = { startKeyGroup: 0, endKeyGroup: MAX_P - 1 };

const valueDesc = (): ValueStateDescriptor<unknown> => new ValueStateDescriptor<unknown>('value');
const listDesc = (): ListStateDescriptor<unknown> => new ListStateDescriptor<unknown>('list');
const mapDesc = (): MapStateDescriptor<unknown, unknown> => new MapStateDescriptor<unknown, unknown>('map');
const sumDesc = (): ReducingStateDescriptor<number> => new ReducingStateDescriptor<number>('sum', (a, b) => a + b);
const avgDesc = (): AggregatingStateDescriptor<number, { sum: number; n: number }, number> =>
  new AggregatingStateDescriptor('avg', {
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (v: number, a: { sum: number; n: number }) => ({ sum: a.sum + v, n: a.n + 1 }),
    getResult: (a: { sum: number; n: number }) => a.sum / a.n,
    merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  });
const ttl = (ms: number): StateTtlConfig => StateTtlConfig.newBuilder(ms).build();
const ttlValueDesc = (): ValueStateDescriptor<unknown> => { const d = new ValueStateDescriptor<unknown>('ttlValue'); d.enableTimeToLive(ttl(1000)); return d; };
const ttlMapDesc = (): MapStateDescriptor<unknown, unknown> => { const d = new MapStateDescriptor<unknown, unknown>('ttlMap'); d.enableTimeToLive(ttl(1000)); return d; };

// Primitive and composite keys; equal composite keys must come back as equal arrays.
const KEYS: unknown[] = ['a', '', 42, -7.5, 10n, -(2n ** 70n), true, ['u', 1], ['u', [2n, false]], [], '\u0000not-composite'];

const rich = (i: number): unknown => ({
  i, neg0: -0, big: 2n ** 65n + BigInt(i), date: new Date(1000 + i), bytes: new Uint8Array([i & 255, 1]),
  m: new Map<unknown, unknown>([[1, { x: i }], ['s', null]]), o: { nested: [undefined, null, 'x'] }, set: new Set([i]),
});

function fill(b: HeapKeyedStateBackend): void {
  KEYS.forEach((k, i) => {
    b.setCurrentKey(k);
    b.getPartitionedState<ValueState<unknown>>(valueDesc()).update(rich(i));
    const l = b.getPartitionedState<ListState<unknown>>(listDesc());
    l.add(i); l.add(`two${i}`); l.add({ three: [i] });
    const m = b.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    m.put('k', i); m.put(5, 'five'); m.put(['x', i], 'arrayUserKey'); m.put({ obj: i }, 'objUserKey');
    const r = b.getPartitionedState<ReducingState<number>>(sumDesc()); r.add(i); r.add(100);
    const a = b.getPartitionedState<AggregatingState<number, number>>(avgDesc()); a.add(2); a.add(4 + i);
    b.getPartitionedState<ValueState<unknown>>(ttlValueDesc()).update(`ttl${i}`);
    b.getPartitionedState<MapState<unknown, unknown>>(ttlMapDesc()).put('tk', i);
  });
}

function check(b: HeapKeyedStateBackend, keys = KEYS): void {
  for (const k of keys) {
    const i = KEYS.findIndex((x) => JSON.stringify(x, big) === JSON.stringify(k, big));
    b.setCurrentKey(k);
    const v = b.getPartitionedState<ValueState<unknown>>(valueDesc()).value() as ReturnType<typeof rich> & { neg0: number };
    expect(v).toEqual(rich(i));
    expect(Object.is(v.neg0, -0)).toBe(true);
    expect([...b.getPartitionedState<ListState<unknown>>(listDesc()).get()]).toEqual([i, `two${i}`, { three: [i] }]);
    const m = b.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    expect(m.get('k')).toBe(i);
    expect(m.get(5)).toBe('five');
    expect(m.get(['x', i])).toBe('arrayUserKey');
    expect(m.get({ obj: i })).toBe('objUserKey');
    expect([...m.keys()]).toEqual(['k', 5, ['x', i], { obj: i }]);
    expect(b.getPartitionedState<ReducingState<number>>(sumDesc()).get()).toBe(i + 100);
    expect(b.getPartitionedState<AggregatingState<number, number>>(avgDesc()).get()).toBe((6 + i) / 2);
    expect(b.getPartitionedState<ValueState<unknown>>(ttlValueDesc()).value()).toBe(`ttl${i}`);
    expect(b.getPartitionedState<MapState<unknown, unknown>>(ttlMapDesc()).get('tk')).toBe(i);
  }
}
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

function keysOf(b: HeapKeyedStateBackend, name = 'value'): unknown[] {
  const out: unknown[] = [];
  b.applyToAllKeys(new ValueStateDescriptor<unknown>(name), (k) => out.push(k));
  return out;
}

describe('HeapKeyedStateBackend snapshot and restore', () => {
  it('round-trips every state kind, TTL wrappers and composite keys', () => {
    let now = 1_000;
    const a = new HeapKeyedStateBackend(FULL, MAX_P, () => now);
    fill(a);
    const snap = a.snapshot();
    expect(snap.startKeyGroup).toBe(0);
    expect(snap.endKeyGroup).toBe(MAX_P - 1);
    expect(snap.offsets).toHaveLength(MAX_P);
    const used = new Set(KEYS.map((k) => assignToKeyGroup(k, MAX_P)));
    snap.offsets.forEach((o, kg) => expect(o >= 0).toBe(used.has(kg)));

    now = 1_500;
    const b = new HeapKeyedStateBackend(FULL, MAX_P, () => now);
    b.restore([snap]);
    check(b);
    expect(keysOf(b).map((k) => JSON.stringify(k, big)).sort()).toEqual(KEYS.map((k) => JSON.stringify(k, big)).sort());
    for (const name of ['value', 'list', 'map', 'sum', 'avg', 'ttlValue', 'ttlMap']) expect(b.numKeys(name)).toBe(KEYS.length);
  });

  it('keeps the TTL timestamps as stored: restored entries expire on the original schedule', () => {
    let now = 0;
    const a = new HeapKeyedStateBackend(FULL, MAX_P, () => now);
    a.setCurrentKey('k');
    a.getPartitionedState<ValueState<unknown>>(ttlValueDesc()).update('v');
    now = 600;
    a.setCurrentKey('j');
    a.getPartitionedState<ValueState<unknown>>(ttlValueDesc()).update('w');
    const snap = a.snapshot();
    now = 1_100; // 'k' (written at 0) expired, 'j' (at 600) not
    const b = new HeapKeyedStateBackend(FULL, MAX_P, () => now);
    b.restore([snap]);
    const s = b.getPartitionedState<ValueState<unknown>>(ttlValueDesc());
    b.setCurrentKey('k'); expect(s.value()).toBeUndefined();
    b.setCurrentKey('j'); expect(s.value()).toBe('w');
  });

  it('a restored state nobody requested again is kept in the next snapshot', () => {
    const a = new HeapKeyedStateBackend(FULL, MAX_P);
    fill(a);
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.restore([a.snapshot()]);
    const c = new HeapKeyedStateBackend(FULL, MAX_P);
    c.restore([b.snapshot()]);
    check(c);
  });

  it('the snapshot is isolated: mutating state after snapshot() changes neither the bytes nor what they restore', () => {
    const a = new HeapKeyedStateBackend(FULL, MAX_P);
    fill(a);
    const snap = a.snapshot();
    const bytes = snap.data.slice();
    const offsets = [...snap.offsets];
    for (const k of KEYS) {
      a.setCurrentKey(k);
      // In-place mutations of the objects the tables hold.
      const v = a.getPartitionedState<ValueState<{ m: Map<unknown, unknown> }>>(valueDesc()).value()!;
      v.m.set('new', 1);
      a.getPartitionedState<ListState<unknown>>(listDesc()).add('later');
      a.getPartitionedState<MapState<unknown, unknown>>(mapDesc()).put('later', 1);
      a.getPartitionedState<ReducingState<number>>(sumDesc()).add(1);
    }
    a.setCurrentKey('brand-new');
    a.getPartitionedState<ValueState<unknown>>(valueDesc()).update(1);
    a.setCurrentKey(KEYS[0]);
    a.clearCurrentKey();
    expect(snap.data).toEqual(bytes);
    expect(snap.offsets).toEqual(offsets);
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.restore([snap]);
    check(b);
    expect(b.numKeys('value')).toBe(KEYS.length);
  });

  it('an empty backend snapshots every key group as empty', () => {
    const s = new HeapKeyedStateBackend({ startKeyGroup: 10, endKeyGroup: 19 }, MAX_P).snapshot();
    expect(s).toEqual({ startKeyGroup: 10, endKeyGroup: 19, offsets: new Array(10).fill(-1), data: new Uint8Array(0) });
  });

  it('fails the snapshot for a key outside its key groups (a non-deterministic key selector)', () => {
    const kg = assignToKeyGroup('x', MAX_P);
    const other = kg === 0 ? 1 : 0;
    const b = new HeapKeyedStateBackend({ startKeyGroup: other, endKeyGroup: other }, MAX_P);
    b.setCurrentKey('x');
    b.getPartitionedState<ValueState<unknown>>(valueDesc()).update(1);
    expect(() => b.snapshot()).toThrow(new RegExp(`belongs to key group ${kg}, outside this subtask's key groups ${other}\\.\\.${other}`));
  });

  it('a checkpoint of such a key fails in serialize() (declined), small state or large', async () => {
    const kg = assignToKeyGroup('x', MAX_P);
    const other = kg === 0 ? 1 : 0;
    for (const budget of [5, 0]) {
      const b = new HeapKeyedStateBackend({ startKeyGroup: other, endKeyGroup: other }, MAX_P);
      b.syncSnapshotBudgetMs = budget;
      b.setCurrentKey('x');
      b.getPartitionedState<ValueState<unknown>>(valueDesc()).update(1);
      const pending = b.beginSnapshot();
      await expect(pending.serialize(async () => {})).rejects.toThrow(/belongs to key group/);
      expect(b.snapshotInProgress).toBe(false);
    }
  });

  it('a state restored as another kind or with other TTL settings is refused by name', () => {
    const a = new HeapKeyedStateBackend(FULL, MAX_P);
    a.setCurrentKey('k');
    a.getPartitionedState<ValueState<unknown>>(valueDesc()).update(1);
    a.getPartitionedState<ValueState<unknown>>(ttlValueDesc()).update(1);
    const snap = a.snapshot();
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.restore([snap]);
    expect(() => b.getPartitionedState(new ListStateDescriptor('value'))).toThrow(/'value' was restored as value state and is now requested as list state/);
    expect(() => b.getPartitionedState(new ValueStateDescriptor('ttlValue'))).toThrow(/'ttlValue' was restored with TTL and is now requested without it/);
    const withTtl = new ValueStateDescriptor('value'); withTtl.enableTimeToLive(ttl(5));
    expect(() => b.getPartitionedState(withTtl)).toThrow(/'value' was restored without TTL/);
  });

  it('corrupt or truncated bytes fail the restore naming the key group', () => {
    const a = new HeapKeyedStateBackend(FULL, MAX_P);
    fill(a);
    const snap = a.snapshot();
    const kgs = snap.offsets.map((o, kg) => [o, kg]).filter(([o]) => o >= 0);
    const [firstOff, firstKg] = kgs[0];
    const [, lastKg] = kgs[kgs.length - 1];
    const restore = (s: KeyGroupsSnapshot): void => new HeapKeyedStateBackend(FULL, MAX_P).restore([s]);

    const versioned = snap.data.slice(); versioned[firstOff] = 7;
    expect(() => restore({ ...snap, data: versioned })).toThrow(new RegExp(`key group ${firstKg}: unknown state format version 7`));
    expect(() => restore({ ...snap, data: snap.data.subarray(0, snap.data.length - 4) })).toThrow(new RegExp(`key group ${lastKg}: state bytes are truncated`));
    const garbled = snap.data.slice(); garbled.fill(0xc1, firstOff + 5, firstOff + 9);
    expect(() => restore({ ...snap, data: garbled })).toThrow(new RegExp(`key group ${firstKg}`));
    expect(() => restore({ ...snap, offsets: snap.offsets.slice(1) })).toThrow(/offsets for 128 key groups/);
    // Well-formed frames with the wrong content.
    const craft = (payload: unknown): KeyGroupsSnapshot => writeKeyGroups({ startKeyGroup: 3, endKeyGroup: 3 }, [payload], () => 'test');
    const three: KeyGroupRange = { startKeyGroup: 3, endKeyGroup: 3 };
    const restore3 = (s: KeyGroupsSnapshot): void => new HeapKeyedStateBackend(three, MAX_P).restore([s]);
    expect(() => restore3(craft({ not: 'a list' }))).toThrow(/key group 3 is corrupt: not a list of states/);
    expect(() => restore3(craft([['value', 'nonsense', 0, []]]))).toThrow(/key group 3 is corrupt: a state record has name value and kind nonsense/);
    expect(() => restore3(craft([['value', 'value', 0, [{ obj: 1 }, 1]]]))).toThrow(/key group 3 is corrupt: state 'value' holds an invalid key/);
    expect(() => restore3(craft([['_timer_state/event_user-timers', 'timer', 0, ['k', 'soon']]]))).toThrow(/key group 3 is corrupt: a timer .* has timestamp soon/);
  });

  it('reads only its own key groups of a larger snapshot', () => {
    const a = new HeapKeyedStateBackend(FULL, MAX_P);
    fill(a);
    const half: KeyGroupRange = { startKeyGroup: 0, endKeyGroup: 63 };
    const b = new HeapKeyedStateBackend(half, MAX_P);
    b.restore([a.snapshot()]);
    const mine = KEYS.filter((k) => assignToKeyGroup(k, MAX_P) <= 63);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(KEYS.length);
    expect(b.numKeys('value')).toBe(mine.length);
    check(b, mine);
  });
});

describe('rescaling keyed state (StateBackendTestBase.testKeyGroupSnapshotRestoreScaleUp/Down)', () => {
  const N = 600;
  const keyOf = (i: number): unknown => (i % 3 === 0 ? `k${i}` : i % 3 === 1 ? i : ['c', i, BigInt(i)]);

  function subtasks(parallelism: number): HeapKeyedStateBackend[] {
    return Array.from({ length: parallelism }, (_, i) => new HeapKeyedStateBackend(computeKeyGroupRangeForOperatorIndex(MAX_P, parallelism, i), MAX_P));
  }
  const owner = (bs: HeapKeyedStateBackend[], key: unknown): number => {
    const kg = assignToKeyGroup(key, MAX_P);
    return bs.findIndex((b) => b.keyGroupRange.startKeyGroup <= kg && kg <= b.keyGroupRange.endKeyGroup);
  };

  function write(bs: HeapKeyedStateBackend[]): void {
    for (let i = 0; i < N; i++) {
      const b = bs[owner(bs, keyOf(i))];
      b.setCurrentKey(keyOf(i));
      b.getPartitionedState<ValueState<unknown>>(valueDesc()).update(i);
      b.getPartitionedState<ListState<unknown>>(listDesc()).add(i);
    }
  }

  function rescale(from: HeapKeyedStateBackend[], to: number): HeapKeyedStateBackend[] {
    const snaps = from.map((b) => b.snapshot());
    const next = subtasks(to);
    // As the JobManager assigns them: every old snapshot whose range overlaps.
    for (const b of next) {
      b.restore(snaps.filter((s) => s.startKeyGroup <= b.keyGroupRange.endKeyGroup && s.endKeyGroup >= b.keyGroupRange.startKeyGroup));
    }
    return next;
  }

  function verify(bs: HeapKeyedStateBackend[]): void {
    const seen = new Map<string, number>();
    bs.forEach((b, idx) => {
      b.applyToAllKeys<ValueState<unknown>>(valueDesc(), (k, s) => {
        const id = JSON.stringify(k, big);
        expect(seen.has(id)).toBe(false);
        seen.set(id, idx);
        expect(owner(bs, k)).toBe(idx);
        const i = s.value() as number;
        expect(k).toEqual(keyOf(i));
        expect([...b.getPartitionedState<ListState<unknown>>(listDesc()).get()]).toEqual([i]);
      });
    });
    expect(seen.size).toBe(N);
    expect(bs.reduce((n, b) => n + b.numKeys('list'), 0)).toBe(N);
  }

  it('2 → 3 subtasks: each key ends up exactly in the subtask owning its key group', () => {
    const old = subtasks(2);
    write(old);
    verify(old);
    verify(rescale(old, 3));
  });

  it('3 → 1 subtask and back to 2', () => {
    const old = subtasks(3);
    write(old);
    const one = rescale(old, 1);
    verify(one);
    verify(rescale(one, 2));
  });
});

describe('asynchronous snapshots (copy-on-write)', () => {
  it('a snapshot begun before updates holds the values of that moment, while the task sees its updates', async () => {
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.syncSnapshotBudgetMs = 0;
    const v = b.getPartitionedState<ValueState<unknown>>(valueDesc());
    const l = b.getPartitionedState<ListState<unknown>>(listDesc());
    const m = b.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    for (let k = 0; k < 50; k++) { b.setCurrentKey(k); v.update({ n: k }); l.add(k); m.put('a', k); }
    const pending = b.beginSnapshot();
    // After the snapshot began: in-place mutation of a returned object, list append, map put, delete, new key.
    for (let k = 0; k < 50; k++) {
      b.setCurrentKey(k);
      const o = v.value() as { n: number };
      o.n += 1000;
      v.update(o);
      l.add(-1);
      m.put('b', k);
      if (k % 10 === 0) v.clear();
    }
    b.setCurrentKey(999); v.update({ n: 999 });
    const snap = await pending.serialize(async () => {});
    b.setCurrentKey(1);
    expect(v.value()).toEqual({ n: 1001 });
    expect([...l.get()]).toEqual([1, -1]);
    const r = new HeapKeyedStateBackend(FULL, MAX_P);
    r.restore([snap]);
    const rv = r.getPartitionedState<ValueState<unknown>>(valueDesc());
    const rl = r.getPartitionedState<ListState<unknown>>(listDesc());
    const rm = r.getPartitionedState<MapState<unknown, unknown>>(mapDesc());
    for (let k = 0; k < 50; k++) {
      r.setCurrentKey(k);
      expect(rv.value()).toEqual({ n: k });
      expect([...rl.get()]).toEqual([k]);
      expect([...rm.entries()]).toEqual([['a', k]]);
    }
    r.setCurrentKey(999);
    expect(rv.value()).toBeUndefined();
    expect(b.snapshotInProgress).toBe(false);
  });

  it('a value of a user class read while a snapshot is in progress is still an instance of its class', async () => {
    class Acc { constructor(public n: number) {} bump(): void { this.n++; } }
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.syncSnapshotBudgetMs = 0;
    const v = b.getPartitionedState<ValueState<Acc>>(new ValueStateDescriptor<Acc>('acc'));
    b.setCurrentKey('k'); v.update(new Acc(1));
    const pending = b.beginSnapshot();
    const seen = v.value()!;
    expect(seen).toBeInstanceOf(Acc);
    seen.bump();
    v.update(seen);
    const snap = await pending.serialize(async () => {});
    expect(v.value()!.n).toBe(2);
    const r = new HeapKeyedStateBackend(FULL, MAX_P);
    r.restore([snap]);
    r.setCurrentKey('k');
    expect(r.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor<{ n: number }>('acc')).value()).toEqual({ n: 1 });
  });

  it('the serialization pauses (the task runs in between); a second snapshot begun meanwhile is copy-on-write too and each holds its own moment', async () => {
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.syncSnapshotBudgetMs = 0;
    const v = b.getPartitionedState<ValueState<unknown>>(valueDesc());
    for (let k = 0; k < 50_000; k++) { b.setCurrentKey(k); v.update(k % 2 === 0 ? { n: k } : k); }
    const first = b.beginSnapshot();
    let pauses = 0;
    const p1 = first.serialize(async () => { pauses++; await new Promise((r) => setImmediate(r)); });
    // Between the two snapshots: even keys change in place, odd ones are replaced, some removed, one added.
    for (let k = 0; k < 50_000; k += 7) {
      b.setCurrentKey(k);
      const x = v.value();
      if (typeof x === 'object') { (x as { n: number }).n = -k; v.update(x); } else if (k % 3 === 0) v.clear(); else v.update(-k);
    }
    b.setCurrentKey('new'); v.update({ n: 1 });
    const second = b.beginSnapshot(); // while the first is in progress
    expect(b.snapshotInProgress).toBe(true);
    for (let k = 0; k < 50_000; k += 5) { b.setCurrentKey(k); v.update({ n: 2 * k }); }
    const [s1, s2] = await Promise.all([p1, second.serialize(async () => {})]);
    expect(pauses).toBeGreaterThan(1);
    expect(b.snapshotInProgress).toBe(false);
    const at = (s: KeyGroupsSnapshot, key: unknown): unknown => {
      const r = new HeapKeyedStateBackend(FULL, MAX_P);
      r.restore([s]);
      r.setCurrentKey(key);
      return r.getPartitionedState<ValueState<unknown>>(valueDesc()).value();
    };
    const r1 = new HeapKeyedStateBackend(FULL, MAX_P); r1.restore([s1]);
    const r2 = new HeapKeyedStateBackend(FULL, MAX_P); r2.restore([s2]);
    const v1 = r1.getPartitionedState<ValueState<unknown>>(valueDesc()), v2 = r2.getPartitionedState<ValueState<unknown>>(valueDesc());
    for (let k = 0; k < 50_000; k++) {
      r1.setCurrentKey(k); r2.setCurrentKey(k);
      expect(v1.value()).toEqual(k % 2 === 0 ? { n: k } : k);
      const mid = k % 7 !== 0 ? (k % 2 === 0 ? { n: k } : k) : k % 2 === 0 ? { n: -k } : k % 3 === 0 ? undefined : -k;
      expect(v2.value()).toEqual(mid);
    }
    expect(at(s1, 'new')).toBeUndefined();
    expect(at(s2, 'new')).toEqual({ n: 1 });
    b.setCurrentKey(10); expect(v.value()).toEqual({ n: 20 });
  });

  it('a small state is serialized whole in the synchronous phase: no copy-on-write afterwards', async () => {
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    const v = b.getPartitionedState<ValueState<unknown>>(valueDesc());
    for (let k = 0; k < 100; k++) { b.setCurrentKey(k); v.update({ n: k }); }
    const pending = b.beginSnapshot();
    expect(b.snapshotInProgress).toBe(false);
    b.setCurrentKey(3); (v.value() as { n: number }).n = -3;
    let pauses = 0;
    const s = await pending.serialize(async () => { pauses++; });
    expect(pauses).toBe(0);
    const r = new HeapKeyedStateBackend(FULL, MAX_P); r.restore([s]);
    r.setCurrentKey(3);
    expect(r.getPartitionedState<ValueState<unknown>>(valueDesc()).value()).toEqual({ n: 3 });
  });
});
