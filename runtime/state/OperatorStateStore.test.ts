// Modelled on Flink's OperatorStateBackendTest (snapshot/restore of list, union and broadcast states).
import { describe, it, expect } from 'vitest';
import { OperatorStateStore, type OperatorStateSnapshot } from './OperatorStateStore.js';
import { ListStateDescriptor, MapStateDescriptor } from '../api/state/StateDescriptor.js';
import { readFrame } from './StateSerializer.js';

const split = new ListStateDescriptor<unknown>('offsets');
const union = new ListStateDescriptor<unknown>('union');
const bc = new MapStateDescriptor<unknown, unknown>('rules');

function filled(): OperatorStateStore {
  const s = new OperatorStateStore();
  s.getListState(split).addAll([1, 'two', { three: new Map([[3, [3n]]]) }, -0]);
  s.getUnionListState(union).add({ watermark: 5 });
  const b = s.getBroadcastState(bc);
  b.put('r1', { min: 1 }); b.put(2, new Date(2)); b.put(['k', 1], null);
  return s;
}

describe('OperatorStateStore snapshot and restore', () => {
  it('round-trips SPLIT, UNION and BROADCAST states; offsets locate every element', () => {
    const snap = filled().snapshot();
    expect(snap.states.offsets.mode).toBe('SPLIT');
    expect(snap.states.union.mode).toBe('UNION');
    expect(snap.states.rules.mode).toBe('BROADCAST');
    expect(snap.states.offsets.offsets).toHaveLength(4);
    expect(snap.states.union.offsets).toHaveLength(1);
    expect(snap.states.rules.offsets).toHaveLength(3);
    expect(readFrame(snap.data, snap.states.offsets.offsets[1], () => 't')).toBe('two');
    expect(readFrame(snap.data, snap.states.rules.offsets[0], () => 't')).toEqual(['r1', { min: 1 }]);

    const r = OperatorStateStore.restore([snap]);
    expect(r.isRestored()).toBe(true);
    const l = [...r.getListState(split).get()];
    expect(l).toEqual([1, 'two', { three: new Map([[3, [3n]]]) }, -0]);
    expect(Object.is(l[3], -0)).toBe(true);
    expect([...r.getUnionListState(union).get()]).toEqual([{ watermark: 5 }]);
    const b = r.getBroadcastState(bc);
    expect(b.get('r1')).toEqual({ min: 1 });
    expect(b.get(2)).toEqual(new Date(2));
    expect([...b.immutableEntries()].map(([k]) => k)).toEqual(['r1', 2, ['k', 1]]);
  });

  it('isRestored: true whenever started from a checkpoint, even with no state of its own', () => {
    expect(new OperatorStateStore().isRestored()).toBe(false);
    expect(new OperatorStateStore([]).isRestored()).toBe(true);
    expect(OperatorStateStore.restore([]).isRestored()).toBe(true);
  });

  it('merges several parts (elements of one list from several old subtasks)', () => {
    const a = new OperatorStateStore(); a.getListState(split).addAll([1, 2]);
    const b = new OperatorStateStore(); b.getListState(split).addAll([3]);
    const r = new OperatorStateStore([a.snapshot(), b.snapshot()]);
    expect([...r.getListState(split).get()]).toEqual([1, 2, 3]);
  });

  it('the snapshot is isolated from later mutations', () => {
    const s = filled();
    const snap = s.snapshot();
    const bytes = snap.data.slice();
    s.getListState(split).add('later');
    ([...s.getListState(split).get()][2] as { three: Map<number, unknown> }).three.set(4, 4);
    s.getBroadcastState(bc).put('r2', 1);
    s.getUnionListState(union).clear();
    expect(snap.data).toEqual(bytes);
    const r = OperatorStateStore.restore([snap]);
    expect([...r.getListState(split).get()]).toHaveLength(4);
    expect([...r.getUnionListState(union).get()]).toHaveLength(1);
    expect(r.getBroadcastState(bc).contains('r2')).toBe(false);
  });

  it('keeps restored states nobody requested again, and registered empty ones', () => {
    const s = filled();
    s.getListState(new ListStateDescriptor('empty'));
    const r = OperatorStateStore.restore([s.snapshot()]);
    const again = r.snapshot();
    expect(Object.keys(again.states).sort()).toEqual(['empty', 'offsets', 'rules', 'union']);
    expect(again.states.empty).toEqual({ mode: 'SPLIT', offsets: [] });
    expect([...OperatorStateStore.restore([again]).getListState(split).get()]).toHaveLength(4);
  });

  it('refuses a state requested in another mode than it was restored or registered in', () => {
    const r = OperatorStateStore.restore([filled().snapshot()]);
    expect(() => r.getUnionListState(split)).toThrow(/'offsets' is SPLIT state \(getListState\) and is now requested as UNION state/);
    expect(() => r.getListState(union)).toThrow(/'union' is UNION state/);
    expect(() => r.getListState(new ListStateDescriptor('rules'))).toThrow(/'rules' is BROADCAST state/);
    const s = new OperatorStateStore();
    s.getListState(split);
    expect(() => s.getBroadcastState(new MapStateDescriptor('offsets'))).toThrow(/'offsets' is SPLIT state/);
  });

  it('corrupt bytes and unknown modes fail the restore naming the state', () => {
    const snap = filled().snapshot();
    const data = snap.data.slice();
    data[snap.states.union.offsets[0]] = 42;
    expect(() => OperatorStateStore.restore([{ ...snap, data }])).toThrow(/Operator state 'union' element 0: unknown state format version 42/);
    expect(() => OperatorStateStore.restore([{ states: { x: { mode: 'SPLIT', offsets: [snap.data.length] } }, data: snap.data }])).toThrow(/Operator state 'x' element 0/);
    const weird = { states: { x: { mode: 'ODD', offsets: [] } }, data: snap.data } as unknown as OperatorStateSnapshot;
    expect(() => OperatorStateStore.restore([weird])).toThrow(/'x' is corrupt: unknown mode ODD/);
  });

  it('refuses functions in operator state at snapshot time, naming the state', () => {
    const s = new OperatorStateStore();
    s.getListState(split).add({ cb: () => 1 });
    expect(() => s.snapshot()).toThrow(/Operator state 'offsets' element 0: state holds a function/);
  });
});
