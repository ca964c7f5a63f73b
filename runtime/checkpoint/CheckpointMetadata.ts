// The `_metadata` file of a checkpoint (Flink's Checkpoints.storeCheckpointMetadata, MetadataV3Serializer):
// a magic number and a version header, then the operator states as msgpack. State file paths are
// stored relative to the checkpoint directory, so a moved checkpoint directory stays restorable.
import { Packr, Unpackr } from 'msgpackr';
import type { OperatorSubtaskState, StreamStateHandle, KeyGroupsStateHandle, OperatorStateHandle } from './StateHandles.js';
import type { SnapshotType } from './CheckpointMessages.js';

export const METADATA_MAGIC = 0x54534643; // "TSFC"
export const METADATA_VERSION = 1;

/** The state of one operator (by StreamNode id) over all its subtasks, and its coordinator's state. */
export interface OperatorState {
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The operator's uid() if it had one: a restored job maps the state by it (else by operator id). */
  readonly uid?: string;
  /** By subtask index; a subtask without state is absent. */
  readonly subtasks: Readonly<Record<number, OperatorSubtaskState>>;
  /** The OperatorCoordinator's checkpoint (a source's split enumerator), if it has one. */
  readonly coordinatorState?: unknown;
}

export interface CheckpointMetadata {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly type: SnapshotType;
  readonly operators: Readonly<Record<number, OperatorState>>;
}

export class CorruptCheckpointError extends Error {
  constructor(message: string) { super(message); this.name = 'CorruptCheckpointError'; }
}

const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, moreTypes: false });

function mapHandles(m: CheckpointMetadata, f: (h: StreamStateHandle) => StreamStateHandle): CheckpointMetadata {
  const operators: Record<number, OperatorState> = {};
  for (const [id, op] of Object.entries(m.operators)) {
    const subtasks: Record<number, OperatorSubtaskState> = {};
    for (const [i, s] of Object.entries(op.subtasks)) {
      subtasks[Number(i)] = {
        keyed: s.keyed.map((k): KeyGroupsStateHandle => ({ ...k, handle: f(k.handle) })),
        operator: s.operator.map((o): OperatorStateHandle => ({ ...o, handle: f(o.handle) })),
        ...(s.inputChannel ? { inputChannel: s.inputChannel.map((c) => ({ ...c, handle: f(c.handle) })) } : {}),
      };
    }
    operators[Number(id)] = { ...op, subtasks };
  }
  return { ...m, operators };
}

const trimSlash = (p: string): string => p.replace(/\/+$/, '');

/** Serializes `m`; file handles under `checkpointDir` are written relative to it. */
export function serializeCheckpointMetadata(m: CheckpointMetadata, checkpointDir: string | undefined): Uint8Array {
  const base = checkpointDir === undefined ? undefined : `${trimSlash(checkpointDir)}/`;
  const rel = base === undefined ? m : mapHandles(m, (h) => (h.kind === 'file' && h.path.startsWith(base) ? { ...h, path: h.path.slice(base.length) } : h));
  const body = packr.pack(rel);
  const out = new Uint8Array(8 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, METADATA_MAGIC);
  dv.setUint32(4, METADATA_VERSION);
  out.set(body, 8);
  return out;
}

/**
 * Reads a `_metadata` file's bytes; relative file paths resolve against `checkpointDir`.
 * `where` names the file in errors ("…/chk-7/_metadata").
 */
export function deserializeCheckpointMetadata(bytes: Uint8Array, checkpointDir: string | undefined, where: string): CheckpointMetadata {
  if (bytes.byteLength < 8) throw new CorruptCheckpointError(`Checkpoint metadata ${where} is corrupt: ${bytes.byteLength} bytes, shorter than its header.`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  if (magic !== METADATA_MAGIC) throw new CorruptCheckpointError(`Checkpoint metadata ${where} is corrupt or not a tsflink checkpoint: bad magic number 0x${magic.toString(16)}.`);
  const version = dv.getUint32(4);
  if (version !== METADATA_VERSION) throw new CorruptCheckpointError(`Checkpoint metadata ${where} has version ${version}; this tsflink reads version ${METADATA_VERSION}.`);
  let m: CheckpointMetadata;
  try {
    m = unpackr.unpack(bytes.subarray(8)) as CheckpointMetadata;
  } catch (e) {
    throw new CorruptCheckpointError(`Checkpoint metadata ${where} is corrupt (truncated?): ${(e as Error).message}`);
  }
  if (!m || typeof m !== 'object' || typeof m.checkpointId !== 'number' || typeof m.operators !== 'object' || m.operators === null) {
    throw new CorruptCheckpointError(`Checkpoint metadata ${where} is corrupt: missing checkpoint id or operator states.`);
  }
  if (checkpointDir === undefined) return m;
  const base = `${trimSlash(checkpointDir)}/`;
  const absolute = (p: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/');
  return mapHandles(m, (h) => (h.kind === 'file' && !absolute(h.path) ? { ...h, path: base + h.path } : h));
}
