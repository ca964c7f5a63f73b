// Modelled on Flink's RoundRobinOperatorStateRepartitionerTest / OperatorStateBackendTest repartition cases.
import { describe, it, expect } from 'vitest';
import { repartitionOperatorState, type OperatorStateHandleLike } from './OperatorStateRepartitioner.js';
import { OperatorStateStore, type OperatorStateMode } from './OperatorStateStore.js';
import { ListStateDescriptor, MapStateDescriptor } from '../api/state/StateDescriptor.js';
import type { OperatorStateHandle } from '../checkpoint/StateHandles.js';

/** A file handle whose offsets stand for elements `${id}:${i}`. */
function handle(id: string, states: Record<string, [OperatorStateMode, number]>): OperatorStateHandle {
  const s: Record<string, { mode: OperatorStateMode; offsets: number[] }> = {};
  for (const [name, [mode, n]] of Object.entries(states)) s[name] = { mode, offsets: Array.from({ length: n }, (_, i) => i) };
  return deepFreeze({ states: s, handle: { kind: 'file', path: `/chk/${id}`, size: 100 } });
}
function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') { for (const v of Object.values(o)) deepFreeze(v); Object.freeze(o); }
  return o;
}
/** Elements of `name` each new subtask gets, as `${path}:${offset}`. */
function elements(result: OperatorStateHandle[][], name: string): string[][] {
  return result.map((hs) => hs.flatMap((h) => (h.states[name]?.offsets ?? []).map((o) => `${(h.handle as { path: string }).path.slice(5)}:${o}`)));
}

describe('repartitionOperatorState', () => {
  it('same parallelism, no union state: each subtask gets exactly its own handles back', () => {
    const old = [[handle('a', { s: ['SPLIT', 3], b: ['BROADCAST', 2] })], [handle('b', { s: ['SPLIT', 1], b: ['BROADCAST', 2] })]];
    const r = repartitionOperatorState(old, 2);
    expect(r).toHaveLength(2);
    expect(r[0]).toEqual(old[0]);
    expect(r[1]).toEqual(old[1]);
    expect(r[0][0]).toBe(old[0][0]);
  });

  it('SPLIT 2 → 3: contiguous even shares, every element exactly once, order kept', () => {
    const old = [[handle('a', { s: ['SPLIT', 5] })], [handle('b', { s: ['SPLIT', 4] })]];
    const r = repartitionOperatorState(old, 3);
    expect(elements(r, 's')).toEqual([['a:0', 'a:1', 'a:2'], ['a:3', 'a:4', 'b:0'], ['b:1', 'b:2', 'b:3']]);
    // One output handle per old handle it reads, still pointing at the old file.
    expect(r[1].map((h) => h.handle)).toEqual([old[0][0].handle, old[1][0].handle]);
  });

  it('SPLIT 3 → 1 and 1 → 4 (more subtasks than elements)', () => {
    const old = [[handle('a', { s: ['SPLIT', 2] })], [handle('b', { s: ['SPLIT', 0] })], [handle('c', { s: ['SPLIT', 1] })]];
    expect(elements(repartitionOperatorState(old, 1), 's')).toEqual([['a:0', 'a:1', 'c:0']]);
    const four = repartitionOperatorState([[handle('a', { s: ['SPLIT', 2] })]], 4);
    expect(elements(four, 's')).toEqual([['a:0'], ['a:1'], [], []]);
    expect(four[2]).toEqual([]);
  });

  it('SPLIT remainders rotate from state to state (round robin), so shares stay even', () => {
    const old = [[handle('a', { x: ['SPLIT', 4], y: ['SPLIT', 4] })]];
    const r = repartitionOperatorState(old, 3);
    expect(elements(r, 'x').map((e) => e.length)).toEqual([2, 1, 1]);
    expect(elements(r, 'y').map((e) => e.length)).toEqual([1, 2, 1]);
    expect(r.map((hs) => hs.reduce((n, h) => n + Object.values(h.states).reduce((m, s) => m + s.offsets.length, 0), 0))).toEqual([3, 3, 2]);
    expect(r[0]).toHaveLength(1); // both states of the one old handle merged into one handle
  });

  it('UNION: every new subtask gets all elements of all old subtasks (rescaled or not)', () => {
    const old = [[handle('a', { u: ['UNION', 2], s: ['SPLIT', 2] })], [handle('b', { u: ['UNION', 1], s: ['SPLIT', 1] })]];
    for (const n of [1, 2, 3]) {
      const r = repartitionOperatorState(old, n);
      expect(elements(r, 'u')).toEqual(Array.from({ length: n }, () => ['a:0', 'a:1', 'b:0']));
      expect(elements(r, 's').flat().sort()).toEqual(['a:0', 'a:1', 'b:0']);
    }
    // Unchanged parallelism: SPLIT stays where it was.
    expect(elements(repartitionOperatorState(old, 2), 's')).toEqual([['a:0', 'a:1'], ['b:0']]);
  });

  it('BROADCAST: new subtask i gets old subtask (i mod old parallelism)\'s copy', () => {
    const old = [0, 1, 2].map((i) => [handle(`p${i}`, { b: ['BROADCAST', 2] })]);
    expect(elements(repartitionOperatorState(old, 2), 'b')).toEqual([['p0:0', 'p0:1'], ['p1:0', 'p1:1']]);
    expect(elements(repartitionOperatorState(old, 5), 'b')).toEqual(['p0', 'p1', 'p2', 'p0', 'p1'].map((p) => [`${p}:0`, `${p}:1`]));
  });

  it('works on any handle type and on empty input', () => {
    interface Mine extends OperatorStateHandleLike { readonly tag: string }
    const old: Mine[][] = [[{ tag: 't', states: { s: { mode: 'SPLIT', offsets: [10, 20] } } }]];
    const r = repartitionOperatorState(old, 2);
    expect(r).toEqual([[{ tag: 't', states: { s: { mode: 'SPLIT', offsets: [10] } } }], [{ tag: 't', states: { s: { mode: 'SPLIT', offsets: [20] } } }]]);
    expect(repartitionOperatorState([], 3)).toEqual([[], [], []]);
    expect(repartitionOperatorState([[], []], 3)).toEqual([[], [], []]);
    expect(() => repartitionOperatorState(old, 0)).toThrow(/parallelism 0/);
  });

  it('end to end with OperatorStateStore bytes: 2 → 3 → 1', () => {
    const list = new ListStateDescriptor<string>('list');
    const uni = new ListStateDescriptor<string>('uni');
    const bc = new MapStateDescriptor<string, number>('bc');
    const stores = [0, 1].map((i) => {
      const s = new OperatorStateStore();
      s.getListState(list).addAll(Array.from({ length: 4 + i }, (_, j) => `s${i}e${j}`));
      s.getUnionListState(uni).add(`u${i}`);
      s.getBroadcastState(bc).put('rule', 7);
      return s;
    });
    const restore = (parts: OperatorStateHandleLike[][]): OperatorStateStore[] =>
      parts.map((ps) => OperatorStateStore.restore(ps as unknown as { states: OperatorStateHandle['states']; data: Uint8Array }[]));
    const three = restore(repartitionOperatorState(stores.map((s) => [s.snapshot()]), 3));
    const lists = three.map((s) => [...s.getListState(list).get()]);
    expect(lists.map((l) => l.length)).toEqual([3, 3, 3]);
    expect(lists.flat().sort()).toEqual(['s0e0', 's0e1', 's0e2', 's0e3', 's1e0', 's1e1', 's1e2', 's1e3', 's1e4']);
    for (const s of three) {
      expect(s.isRestored()).toBe(true);
      expect([...s.getUnionListState(uni).get()]).toEqual(['u0', 'u1']);
      expect(s.getBroadcastState(bc).get('rule')).toBe(7);
    }
    const [one] = restore(repartitionOperatorState(three.map((s) => [s.snapshot()]), 1));
    expect([...one.getListState(list).get()].sort()).toEqual(lists.flat().sort());
    // Each of the three had both union elements: union of unions repeats them (Flink does the same).
    expect([...one.getUnionListState(uni).get()]).toEqual(['u0', 'u1', 'u0', 'u1', 'u0', 'u1']);
    expect([...one.getBroadcastState(bc).immutableEntries()]).toEqual([['rule', 7]]);
  });
});
