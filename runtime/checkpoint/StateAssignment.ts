// Which part of a checkpoint each new subtask restores (Flink's StateAssignmentOperation): keyed
// state by key-group range (a subtask reads the handles intersecting its range), operator state
// redistributed by repartitionOperatorState (SPLIT, UNION, BROADCAST), and the in-flight data of
// unaligned checkpoints (Flink's InflightDataRescalingDescriptor): at another parallelism a keyed
// input's records go to every subtask whose key groups they may hold (each replays only its own),
// other inputs' to one subtask each, round robin.
import type { JobEdgeSpec, JobVertexSpec } from '../graph/jobgraph/JobGraph.js';
import type { CheckpointMetadata } from './CheckpointMetadata.js';
import type { InputChannelStateHandle, JobManagerTaskRestore, KeyGroupsStateHandle, OperatorStateHandle, OperatorSubtaskState } from './StateHandles.js';
import { computeKeyGroupRangeForOperatorIndex } from '../util/KeyGroupRangeAssignment.js';
import { repartitionOperatorState } from '../state/OperatorStateRepartitioner.js';

export class StateAssignmentError extends Error {
  constructor(message: string) { super(message); this.name = 'StateAssignmentError'; }
}

/**
 * How a vertex's in-flight input is redistributed at a new parallelism: per new subtask its
 * channels. Only one-input heads without broadcast inputs (Flink, too, keeps unaligned checkpoints
 * away from broadcast exchanges); channels are renumbered to 0 (every channel there is the one input).
 */
function rescaleChannelState(cpId: number, v: JobVertexSpec, old: ReadonlyArray<OperatorSubtaskState | undefined>, edges: readonly JobEdgeSpec[] | undefined):
  { perSubtask: InputChannelStateHandle[][]; byKeyGroup: boolean } {
  const refuse = (why: string): never => {
    throw new StateAssignmentError(`Failed to rollback to checkpoint ${cpId}: it is an unaligned checkpoint with in-flight data of '${v.name}' ` +
      `at parallelism ${old.length}, and the job now runs at ${v.parallelism}; ${why} Restore it at parallelism ${old.length}, or from an aligned checkpoint or a savepoint.`);
  };
  if (edges === undefined) return refuse('the job graph\'s exchanges are unknown here.');
  const inputs = edges.filter((e) => e.targetVertexId === v.id);
  if (inputs.some((e) => e.typeNumber !== 0)) refuse('in-flight data of a two-input operator cannot be redistributed.');
  if (inputs.some((e) => e.partitioner === 'BROADCAST')) refuse('in-flight data of a broadcast input cannot be redistributed.');
  const keyed = inputs.length > 0 && inputs.every((e) => e.partitioner === 'HASH');
  if (!keyed && inputs.some((e) => e.partitioner === 'HASH')) refuse('it mixes keyed and non-keyed inputs.');
  const channelsOf = (j: number): InputChannelStateHandle[] => (old[j]?.inputChannel ?? []).map((c) => ({ ...c, channel: 0 }));
  const perSubtask: InputChannelStateHandle[][] = [];
  for (let i = 0; i < v.parallelism; i++) {
    if (keyed) {
      const r = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, i);
      perSubtask.push(old.flatMap((_, j) => {
        const o = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, old.length, j);
        return o.endKeyGroup >= r.startKeyGroup && o.startKeyGroup <= r.endKeyGroup ? channelsOf(j) : [];
      }));
    } else {
      perSubtask.push(old.flatMap((_, j) => (j % v.parallelism === i ? channelsOf(j) : [])));
    }
  }
  return { perSubtask, byKeyGroup: keyed };
}

/** Per vertex id, per subtask index: what that subtask restores (undefined entries restore nothing). */
export function assignStates(cp: CheckpointMetadata, vertices: readonly JobVertexSpec[], edges?: readonly JobEdgeSpec[]): Map<string, JobManagerTaskRestore[]> {
  const out = new Map<string, JobManagerTaskRestore[]>();
  const known = new Set<number>();
  for (const v of vertices) {
    const perSubtask: Record<number, OperatorSubtaskState>[] = Array.from({ length: v.parallelism }, () => ({}));
    for (const op of v.operators) {
      known.add(op.nodeId);
      const st = cp.operators[op.nodeId];
      if (!st) continue;
      if (st.maxParallelism !== v.maxParallelism) {
        throw new StateAssignmentError(`Failed to rollback to checkpoint ${cp.checkpointId}: operator ${op.nodeId} of '${v.name}' had max parallelism ` +
          `${st.maxParallelism} and now has ${v.maxParallelism}; the max parallelism of a stateful operator cannot change.`);
      }
      const old = Array.from({ length: st.parallelism }, (_, i) => st.subtasks[i]);
      const keyed: KeyGroupsStateHandle[] = old.flatMap((s) => (s ? s.keyed : []));
      const operator = repartitionOperatorState(old.map((s): readonly OperatorStateHandle[] => (s ? s.operator : [])), v.parallelism);
      // In-flight channel state stays with its subtask at the same parallelism, and is redistributed at another one.
      const hasChannelState = old.some((s) => (s?.inputChannel?.length ?? 0) > 0);
      const rescaled = hasChannelState && st.parallelism !== v.parallelism ? rescaleChannelState(cp.checkpointId, v, old, edges) : undefined;
      for (let i = 0; i < v.parallelism; i++) {
        const r = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, i);
        const mine = keyed.filter((k) => k.endKeyGroup >= r.startKeyGroup && k.startKeyGroup <= r.endKeyGroup);
        const channels = rescaled ? rescaled.perSubtask[i] : old[i]?.inputChannel;
        perSubtask[i][op.nodeId] = {
          keyed: mine, operator: operator[i] ?? [],
          ...(channels && channels.length > 0 ? { inputChannel: channels, ...(rescaled?.byKeyGroup ? { inputChannelFilter: 'KEY_GROUPS' as const } : {}) } : {}),
        };
      }
    }
    out.set(v.id, perSubtask.map((operators) => ({ checkpointId: cp.checkpointId, operators })));
  }
  const unknown = Object.keys(cp.operators).map(Number).filter((id) => !known.has(id) && hasState(cp.operators[id]!.subtasks));
  if (unknown.length > 0) {
    throw new StateAssignmentError(`Failed to rollback to checkpoint ${cp.checkpointId}: cannot map the state of operator(s) ${unknown.join(', ')} to the current program.`);
  }
  return out;
}

function hasState(subtasks: Readonly<Record<number, OperatorSubtaskState>>): boolean {
  return Object.values(subtasks).some((s) => s.keyed.length > 0 || s.operator.length > 0);
}

/**
 * A savepoint or retained checkpoint restored into a (possibly changed) program: each operator's
 * state goes to the operator with the same uid(), or, for operators without one, the same operator
 * id. State no operator claims fails the restore unless `allowNonRestoredState` (then it is
 * skipped, and `skipped` names it). `where` is the snapshot's path, for the messages.
 */
export function mapToProgram(cp: CheckpointMetadata, vertices: readonly JobVertexSpec[], where: string, allowNonRestoredState: boolean): { metadata: CheckpointMetadata; skipped: string[]; withoutUid: string[] } {
  const byUid = new Map<string, number>();
  const withoutUid = new Map<number, string>();
  for (const v of vertices) for (const o of v.operators) { if (o.uid) byUid.set(o.uid, o.nodeId); else withoutUid.set(o.nodeId, o.name); }
  const operators: Record<number, CheckpointMetadata['operators'][number]> = {};
  const skipped: string[] = [];
  /** Stateful operators matched by their generated id: fragile (Flink warns about them too). */
  const mappedWithoutUid: string[] = [];
  for (const [key, st] of Object.entries(cp.operators)) {
    const id = Number(key);
    const target = st.uid !== undefined ? byUid.get(st.uid) : withoutUid.has(id) ? id : undefined;
    if (target !== undefined) {
      operators[target] = st;
      if (st.uid === undefined && (hasState(st.subtasks) || st.coordinatorState !== undefined)) mappedWithoutUid.push(`'${withoutUid.get(id)}' (operator ${id})`);
      continue;
    }
    if (!hasState(st.subtasks) && st.coordinatorState === undefined) continue;
    const name = st.uid !== undefined ? `${id} (uid '${st.uid}')` : String(id);
    if (!allowNonRestoredState) {
      throw new StateAssignmentError(`Failed to rollback to checkpoint/savepoint ${where}. Cannot map checkpoint/savepoint state for operator ${name} to the new program, ` +
        'because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI ' +
        '(execution.state-recovery.ignore-unclaimed-state: true).');
    }
    skipped.push(name);
  }
  return { metadata: { ...cp, operators }, skipped, withoutUid: mappedWithoutUid };
}
