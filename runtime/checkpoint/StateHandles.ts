// What a checkpoint holds, per subtask and operator (Flink's OperatorSubtaskState,
// KeyGroupsStateHandle, OperatorStateHandle, StreamStateHandle). Plain data: these travel in
// acknowledgements (RPC / MessagePort, msgpack) and are stored in _metadata.

/** Bytes of a state file in checkpoint storage, or inlined (small state, `jobmanager` storage). */
export type StreamStateHandle =
  | { readonly kind: 'file'; readonly path: string; readonly size: number }
  | { readonly kind: 'bytes'; readonly data: Uint8Array };

/**
 * Keyed state of one operator subtask for the key groups [startKeyGroup, endKeyGroup]: one byte
 * stream, with the offset where each key group's bytes start (offsets[kg - startKeyGroup];
 * -1 = the key group holds nothing). A subtask after rescaling reads only the groups it owns.
 */
export interface KeyGroupsStateHandle {
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
  readonly offsets: readonly number[];
  readonly handle: StreamStateHandle;
  /**
   * Incremental checkpoints (execution.checkpointing.incremental, leveldb backend): this handle is
   * one part of the subtask's chain, in `<job>/shared/`, possibly referenced by several checkpoints
   * (the JobManager's SharedStateRegistry deletes it once none does).
   */
  readonly incremental?: IncrementalPart;
}

/** A part of an incremental chain: a full base or a delta of changes, applied in chain order. */
export interface IncrementalPart {
  /** 'base': the canonical key-group format; 'delta': changed LevelDB entries since the previous part. */
  readonly kind: 'base' | 'delta';
  /** The checkpoint that uploaded it (a later one reuses it): checkpointed size counts only its own. */
  readonly uploadedBy: number;
}

/**
 * Operator (non-keyed) state of one subtask: list states (SPLIT: redistributed round-robin on
 * restore, UNION: every subtask gets all) and broadcast states (every subtask gets one copy).
 * `offsets` of each state locate its serialized elements in the stream.
 */
export interface OperatorStateHandle {
  readonly states: Readonly<Record<string, { readonly mode: 'SPLIT' | 'UNION' | 'BROADCAST'; readonly offsets: readonly number[] }>>;
  readonly handle: StreamStateHandle;
}

/** In-flight records of one input channel at an unaligned checkpoint (Flink's InputChannelStateHandle). */
export interface InputChannelStateHandle {
  /** The channel's index in the task's input gate. */
  readonly channel: number;
  readonly handle: StreamStateHandle;
}

/** The state of one operator in one subtask. */
export interface OperatorSubtaskState {
  readonly keyed: readonly KeyGroupsStateHandle[];
  readonly operator: readonly OperatorStateHandle[];
  /** Unaligned checkpoints: the task's in-flight input, kept with its head operator. */
  readonly inputChannel?: readonly InputChannelStateHandle[];
  /**
   * Rescaled restore of a keyed input: `inputChannel` holds the in-flight data of every old subtask
   * whose key groups overlap this one's; the task replays only the records of its own key groups.
   */
  readonly inputChannelFilter?: 'KEY_GROUPS';
}

/** A subtask's acknowledgement payload: its operators' states by operator id (the StreamNode id). */
export interface TaskStateSnapshot {
  readonly operators: Readonly<Record<number, OperatorSubtaskState>>;
}

/** What a task restores from (TaskDeploymentDescriptor.taskRestore): checkpoint id and, per operator, its share of the state. */
export interface JobManagerTaskRestore {
  readonly checkpointId: number;
  readonly operators: Readonly<Record<number, OperatorSubtaskState>>;
}

/** Bytes this checkpoint wrote for `s`: chain parts an earlier checkpoint uploaded are not counted (Flink's checkpointed size). */
export function checkpointedSize(s: OperatorSubtaskState, checkpointId: number): number {
  const size = (h: StreamStateHandle): number => (h.kind === 'file' ? h.size : h.data.byteLength);
  let n = stateSize(s);
  for (const k of s.keyed) if (k.incremental && k.incremental.uploadedBy !== checkpointId) n -= size(k.handle);
  return n;
}

/** File paths of the shared (incremental) parts of `s`. */
export function sharedFiles(s: OperatorSubtaskState): string[] {
  const out: string[] = [];
  for (const k of s.keyed) if (k.incremental && k.handle.kind === 'file') out.push(k.handle.path);
  return out;
}

export function stateSize(s: OperatorSubtaskState): number {
  let n = 0;
  const size = (h: StreamStateHandle): number => (h.kind === 'file' ? h.size : h.data.byteLength);
  for (const k of s.keyed) n += size(k.handle);
  for (const o of s.operator) n += size(o.handle);
  for (const c of s.inputChannel ?? []) n += size(c.handle);
  return n;
}
