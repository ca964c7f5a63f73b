// assignStates (Flink's StateAssignmentOperation, StateAssignmentOperationTest and the rescaling
// cases of CheckpointCoordinatorRestoringTest): keyed state by key-group range intersection,
// operator state through repartitionOperatorState (SPLIT, UNION, BROADCAST), and the errors for a
// changed max parallelism and for state of an operator the program no longer has.
import { describe, expect, it } from 'vitest';
import { StateAssignmentError, assignStates, mapToProgram } from './StateAssignment.js';
import type { CheckpointMetadata, OperatorState } from './CheckpointMetadata.js';
import type { KeyGroupsStateHandle, OperatorStateHandle, OperatorSubtaskState } from './StateHandles.js';
import type { JobEdgeSpec, JobVertexSpec } from '../graph/jobgraph/JobGraph.js';
import { computeKeyGroupRangeForOperatorIndex } from '../util/KeyGroupRangeAssignment.js';

function vertex(id: string, parallelism: number, maxParallelism: number, nodeIds: number[]): JobVertexSpec {
  return {
    id, name: `vertex ${id}`, parallelism, maxParallelism, slotSharingGroup: 'default', headNodeId: nodeIds[0]!, isSource: false, bufferTimeout: 100,
    operators: nodeIds.map((nodeId) => ({ nodeId, name: `op-${nodeId}`, operatorKind: 'map', isKeyed: true, chainedOutputs: [], networkOutputs: [] })),
  };
}

/** Keyed handle of old subtask `i` of `p` over its key-group range; its file is named after the range. */
function keyed(maxParallelism: number, p: number, i: number): KeyGroupsStateHandle {
  const r = computeKeyGroupRangeForOperatorIndex(maxParallelism, p, i);
  const n = r.endKeyGroup - r.startKeyGroup + 1;
  return { ...r, offsets: Array.from({ length: n }, (_, k) => k * 10), handle: { kind: 'file', path: `file:///cp/chk-5/kg-${r.startKeyGroup}-${r.endKeyGroup}`, size: n * 10 } };
}

function opHandle(name: string, states: OperatorStateHandle['states']): OperatorStateHandle {
  return { states, handle: { kind: 'file', path: `file:///cp/chk-5/${name}`, size: 100 } };
}

function checkpoint(operators: Record<number, OperatorState>): CheckpointMetadata {
  return { checkpointId: 5, timestamp: 1, type: 'CHECKPOINT', operators };
}

function subtasks(...states: Array<OperatorSubtaskState | undefined>): Record<number, OperatorSubtaskState> {
  const out: Record<number, OperatorSubtaskState> = {};
  states.forEach((s, i) => { if (s) out[i] = s; });
  return out;
}

const names = (hs: readonly KeyGroupsStateHandle[]): string[] => hs.map((h) => (h.handle.kind === 'file' ? h.handle.path.replace('file:///cp/chk-5/', '') : 'inline'));

describe('assignStates: keyed state', () => {
  it('rescale 2 → 3: each new subtask gets the old handles intersecting its key-group range', () => {
    const old = [keyed(128, 2, 0), keyed(128, 2, 1)];
    expect(names(old)).toEqual(['kg-0-63', 'kg-64-127']);
    const cp = checkpoint({ 7: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [old[0]!], operator: [] }, { keyed: [old[1]!], operator: [] }) } });
    const a = assignStates(cp, [vertex('v', 3, 128, [7])]).get('v')!;
    expect(a).toHaveLength(3);
    // New ranges: [0,42], [43,85], [86,127].
    expect(a.map((r) => names(r.operators[7]!.keyed))).toEqual([['kg-0-63'], ['kg-0-63', 'kg-64-127'], ['kg-64-127']]);
    // The handles themselves are passed on unchanged (the task reads only the groups it owns).
    expect(a[1]!.operators[7]!.keyed[1]).toEqual(old[1]);
    for (const r of a) expect(r.checkpointId).toBe(5);
  });

  it('rescale 3 → 2 with max parallelism 10: a handle spanning the new boundary goes to both', () => {
    // Old ranges [0,3], [4,6], [7,9]; new [0,4], [5,9].
    const old = [0, 1, 2].map((i) => keyed(10, 3, i));
    const cp = checkpoint({ 7: { parallelism: 3, maxParallelism: 10, subtasks: subtasks(...old.map((k) => ({ keyed: [k], operator: [] }))) } });
    const a = assignStates(cp, [vertex('v', 2, 10, [7])]).get('v')!;
    expect(a.map((r) => names(r.operators[7]!.keyed))).toEqual([['kg-0-3', 'kg-4-6'], ['kg-4-6', 'kg-7-9']]);
  });

  it('unchanged parallelism: every subtask gets back exactly its own handle; scale-in to 1 gets all', () => {
    const old = [keyed(128, 2, 0), keyed(128, 2, 1)];
    const cp = checkpoint({ 7: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [old[0]!], operator: [] }, { keyed: [old[1]!], operator: [] }) } });
    expect(assignStates(cp, [vertex('v', 2, 128, [7])]).get('v')!.map((r) => names(r.operators[7]!.keyed))).toEqual([['kg-0-63'], ['kg-64-127']]);
    expect(assignStates(cp, [vertex('v', 1, 128, [7])]).get('v')!.map((r) => names(r.operators[7]!.keyed))).toEqual([['kg-0-63', 'kg-64-127']]);
  });

  it('an old subtask without state (absent from the checkpoint) contributes nothing', () => {
    const cp = checkpoint({ 7: { parallelism: 2, maxParallelism: 128, subtasks: subtasks(undefined, { keyed: [keyed(128, 2, 1)], operator: [] }) } });
    const a = assignStates(cp, [vertex('v', 2, 128, [7])]).get('v')!;
    expect(a.map((r) => names(r.operators[7]!.keyed))).toEqual([[], ['kg-64-127']]);
    expect(a[0]!.operators[7]!.operator).toEqual([]);
  });
});

describe('assignStates: operator state', () => {
  const h0 = opHandle('op-0', { s: { mode: 'SPLIT', offsets: [0, 10] }, u: { mode: 'UNION', offsets: [30] }, b: { mode: 'BROADCAST', offsets: [50] } });
  const h1 = opHandle('op-1', { s: { mode: 'SPLIT', offsets: [0, 10, 20] }, u: { mode: 'UNION', offsets: [40] }, b: { mode: 'BROADCAST', offsets: [60] } });
  const cp = checkpoint({ 3: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [], operator: [h0] }, { keyed: [], operator: [h1] }) } });

  it('rescale 2 → 3: SPLIT elements are dealt out evenly in order, UNION goes to everyone, BROADCAST round-robin over the old copies', () => {
    const a = assignStates(cp, [vertex('v', 3, 128, [3])]).get('v')!;
    const view = a.map((r) => r.operators[3]!.operator.map((o) => [o.handle.kind === 'file' ? o.handle.path.slice(-4) : '', o.states]));
    expect(view).toEqual([
      [['op-0', { s: { mode: 'SPLIT', offsets: [0, 10] }, u: { mode: 'UNION', offsets: [30] }, b: { mode: 'BROADCAST', offsets: [50] } }],
        ['op-1', { u: { mode: 'UNION', offsets: [40] } }]],
      [['op-0', { u: { mode: 'UNION', offsets: [30] } }],
        ['op-1', { s: { mode: 'SPLIT', offsets: [0, 10] }, u: { mode: 'UNION', offsets: [40] }, b: { mode: 'BROADCAST', offsets: [60] } }]],
      [['op-0', { u: { mode: 'UNION', offsets: [30] }, b: { mode: 'BROADCAST', offsets: [50] } }],
        ['op-1', { s: { mode: 'SPLIT', offsets: [20] }, u: { mode: 'UNION', offsets: [40] } }]],
    ]);
    // Every SPLIT element is restored exactly once.
    const split = a.flatMap((r) => r.operators[3]!.operator.flatMap((o) => (o.states.s ? o.states.s.offsets.map((x) => `${o.handle.kind === 'file' ? o.handle.path.slice(-4) : ''}@${x}`) : [])));
    expect(split.sort()).toEqual(['op-0@0', 'op-0@10', 'op-1@0', 'op-1@10', 'op-1@20']);
    // The checkpoint's own handles are not modified.
    expect(h0.states.s!.offsets).toEqual([0, 10]);
    expect(Object.keys(h1.states)).toEqual(['s', 'u', 'b']);
  });

  it('unchanged parallelism: SPLIT and BROADCAST stay where they were', () => {
    const noUnion = checkpoint({ 3: { parallelism: 2, maxParallelism: 128, subtasks: subtasks(
      { keyed: [], operator: [opHandle('op-0', { s: { mode: 'SPLIT', offsets: [0, 10] } })] },
      { keyed: [], operator: [opHandle('op-1', { s: { mode: 'SPLIT', offsets: [0] } })] }) } });
    const a = assignStates(noUnion, [vertex('v', 2, 128, [3])]).get('v')!;
    expect(a.map((r) => r.operators[3]!.operator.map((o) => o.states.s!.offsets))).toEqual([[[0, 10]], [[0]]]);
  });

  it('chained operators of one vertex: each gets its own state in the same restore record', () => {
    const both = checkpoint({
      3: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [], operator: [h0] }, { keyed: [], operator: [h1] }) },
      4: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [keyed(128, 2, 0)], operator: [] }, { keyed: [keyed(128, 2, 1)], operator: [] }) },
    });
    const a = assignStates(both, [vertex('v', 2, 128, [3, 4]), vertex('w', 4, 256, [9])]);
    expect(Object.keys(a.get('v')![0]!.operators).sort()).toEqual(['3', '4']);
    expect(names(a.get('v')![1]!.operators[4]!.keyed)).toEqual(['kg-64-127']);
    // Same parallelism, but UNION state: subtask 1 keeps all of h1 and also gets h0's union part.
    expect(a.get('v')![1]!.operators[3]!.operator).toEqual([{ ...h0, states: { u: h0.states.u } }, h1]);
    // A vertex without state in the checkpoint: every subtask restores nothing (from checkpoint 5).
    expect(a.get('w')).toEqual([0, 1, 2, 3].map(() => ({ checkpointId: 5, operators: {} })));
  });
});

describe('assignStates: errors', () => {
  it('a changed max parallelism of a stateful operator → StateAssignmentError', () => {
    const cp = checkpoint({ 7: { parallelism: 2, maxParallelism: 128, subtasks: subtasks({ keyed: [keyed(128, 2, 0)], operator: [] }) } });
    const run = (): unknown => assignStates(cp, [vertex('v', 2, 256, [7])]);
    expect(run).toThrow(StateAssignmentError);
    expect(run).toThrow("Failed to rollback to checkpoint 5: operator 7 of 'vertex v' had max parallelism 128 and now has 256; the max parallelism of a stateful operator cannot change.");
    try { run(); } catch (e) { expect((e as Error).name).toBe('StateAssignmentError'); }
  });

  it('state of an operator the program no longer has → StateAssignmentError naming it; an unknown operator without state is fine', () => {
    const withState = checkpoint({
      7: { parallelism: 1, maxParallelism: 128, subtasks: subtasks({ keyed: [keyed(128, 1, 0)], operator: [] }) },
      42: { parallelism: 1, maxParallelism: 128, subtasks: subtasks({ keyed: [], operator: [opHandle('gone', { s: { mode: 'SPLIT', offsets: [0] } })] }) },
    });
    expect(() => assignStates(withState, [vertex('v', 1, 128, [7])])).toThrow(StateAssignmentError);
    expect(() => assignStates(withState, [vertex('v', 1, 128, [7])])).toThrow('Failed to rollback to checkpoint 5: cannot map the state of operator(s) 42 to the current program.');
    const stateless = checkpoint({
      7: { parallelism: 1, maxParallelism: 128, subtasks: subtasks({ keyed: [keyed(128, 1, 0)], operator: [] }) },
      42: { parallelism: 1, maxParallelism: 128, subtasks: subtasks({ keyed: [], operator: [] }) },
      43: { parallelism: 2, maxParallelism: 128, subtasks: {} },
    });
    expect(names(assignStates(stateless, [vertex('v', 1, 128, [7])]).get('v')![0]!.operators[7]!.keyed)).toEqual(['kg-0-127']);
  });
});

describe('mapToProgram: a snapshot onto a changed program', () => {
  it('by uid first, else by generated id (named in withoutUid: fragile); unclaimed state fails unless allowed', () => {
    const v = vertex('a', 2, 128, [1, 2]);
    const withUid: JobVertexSpec = { ...v, operators: [{ ...v.operators[0]!, uid: 'counter' }, v.operators[1]!] };
    const st = (uid?: string): OperatorState => ({ parallelism: 2, maxParallelism: 128, ...(uid ? { uid } : {}), subtasks: subtasks({ keyed: [keyed(128, 2, 0)], operator: [] }) });
    // uid 'counter' was node 7 in the old program; node 2 (no uid) keeps its generated id.
    const r = mapToProgram(checkpoint({ 7: st('counter'), 2: st() }), [withUid], '/sp', false);
    expect(Object.keys(r.metadata.operators).sort()).toEqual(['1', '2']);
    expect(r.withoutUid).toEqual(["'op-2' (operator 2)"]);
    expect(() => mapToProgram(checkpoint({ 9: st() }), [withUid], '/sp', false)).toThrow(/Cannot map checkpoint\/savepoint state for operator 9 to the new program/);
    expect(mapToProgram(checkpoint({ 9: st() }), [withUid], '/sp', true).skipped).toEqual(['9']);
  });
});

describe('assignStates: in-flight data of unaligned checkpoints at another parallelism', () => {
  const ch = (old: number, channel: number): { channel: number; handle: { kind: 'file'; path: string; size: number } } =>
    ({ channel, handle: { kind: 'file', path: `file:///cp/chk-5/ch-${old}-${channel}`, size: 10 } });
  const edge = (partitioner: JobEdgeSpec['partitioner'], typeNumber = 0): JobEdgeSpec => ({
    id: `e-${partitioner}-${typeNumber}`, sourceVertexId: 'up', targetVertexId: 'v', sourceNodeId: 1, targetNodeId: 7, typeNumber, partitioner,
    distributionPattern: 'ALL_TO_ALL', resultPartitionType: 'PIPELINED',
  });
  const withChannels = (p: number): CheckpointMetadata => checkpoint({
    7: { parallelism: p, maxParallelism: 128, subtasks: subtasks(...Array.from({ length: p }, (_, i) => ({ keyed: [], operator: [], inputChannel: [ch(i, 0), ch(i, 1)] }))) },
  });
  const paths = (r: { operators: Record<number, OperatorSubtaskState> } | undefined): string[] =>
    (r?.operators[7]?.inputChannel ?? []).map((c) => `${(c.handle as { path: string }).path.replace('file:///cp/chk-5/', '')}@${c.channel}`);

  it('keyed input 2 → 3: every new subtask gets the channels of the old subtasks whose key groups overlap, to filter by key group', () => {
    const a = assignStates(withChannels(2), [vertex('v', 3, 128, [7])], [edge('HASH')]).get('v')!;
    // old 0 = key groups 0..63, old 1 = 64..127; new 0..42, 43..85, 86..127
    expect(a.map(paths)).toEqual([['ch-0-0@0', 'ch-0-1@0'], ['ch-0-0@0', 'ch-0-1@0', 'ch-1-0@0', 'ch-1-1@0'], ['ch-1-0@0', 'ch-1-1@0']]);
    expect(a.map((r) => r.operators[7]!.inputChannelFilter)).toEqual(['KEY_GROUPS', 'KEY_GROUPS', 'KEY_GROUPS']);
  });

  it('rebalanced input 3 → 2: each old subtask\'s channels go to one new subtask, round robin, unfiltered', () => {
    const a = assignStates(withChannels(3), [vertex('v', 2, 128, [7])], [edge('REBALANCE')]).get('v')!;
    expect(a.map(paths)).toEqual([['ch-0-0@0', 'ch-0-1@0', 'ch-2-0@0', 'ch-2-1@0'], ['ch-1-0@0', 'ch-1-1@0']]);
    expect(a.map((r) => r.operators[7]!.inputChannelFilter)).toEqual([undefined, undefined]);
  });

  it('same parallelism: channels stay with their subtask; broadcast, two-input or unknown exchanges refuse to rescale, saying what to do', () => {
    expect(assignStates(withChannels(2), [vertex('v', 2, 128, [7])], [edge('HASH')]).get('v')!.map(paths)).toEqual([['ch-0-0@0', 'ch-0-1@1'], ['ch-1-0@0', 'ch-1-1@1']]);
    expect(() => assignStates(withChannels(2), [vertex('v', 3, 128, [7])], [edge('BROADCAST')])).toThrow(/in-flight data of a broadcast input cannot be redistributed\. Restore it at parallelism 2, or from an aligned checkpoint or a savepoint/);
    expect(() => assignStates(withChannels(2), [vertex('v', 3, 128, [7])], [edge('HASH', 1), edge('HASH', 2)])).toThrow(/two-input operator/);
    expect(() => assignStates(withChannels(2), [vertex('v', 3, 128, [7])])).toThrow(StateAssignmentError);
  });
});
