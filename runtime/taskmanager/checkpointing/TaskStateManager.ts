// Reads a task's share of a checkpoint before its operators are built (Flink's TaskStateManager +
// the state backends' restore operations): file handles are fetched from checkpoint storage, inline
// ones used as they are. A missing or unreadable file is a CheckpointRestoreError naming the file
// and the checkpoint, so the JobMaster can fall back to an older checkpoint.
import { getFileSystem } from '../../../hdfs/index.js';
import type { JobManagerTaskRestore, StreamStateHandle } from '../../checkpoint/StateHandles.js';
import type { RestoredOperatorState } from '../OperatorChain.js';
import { Unpackr } from 'msgpackr';
import { DELTA_FORMAT } from '../../state/KeyGroupsSnapshot.js';

const channelUnpackr = new Unpackr({ useRecords: false, moreTypes: true });

export class CheckpointRestoreError extends Error {
  constructor(readonly checkpointId: number, message: string) {
    super(message);
    this.name = 'CheckpointRestoreError';
  }
}

export async function loadTaskRestore(restore: JobManagerTaskRestore): Promise<Map<number, RestoredOperatorState>> {
  const out = new Map<number, RestoredOperatorState>();
  const read = async (h: StreamStateHandle, what: string): Promise<Uint8Array> => {
    if (h.kind === 'bytes') return h.data;
    let b: Buffer;
    try {
      b = await getFileSystem(h.path).readFile(h.path);
    } catch (e) {
      throw new CheckpointRestoreError(restore.checkpointId, `Cannot restore from checkpoint ${restore.checkpointId}: ${what} file ${h.path} cannot be read: ${(e as Error).message}`);
    }
    if (b.byteLength !== h.size) {
      throw new CheckpointRestoreError(restore.checkpointId, `Cannot restore from checkpoint ${restore.checkpointId}: ${what} file ${h.path} is corrupt: ${b.byteLength} bytes, expected ${h.size}.`);
    }
    return b;
  };
  for (const [node, st] of Object.entries(restore.operators)) {
    const nodeId = Number(node);
    const keyed = await Promise.all(st.keyed.map(async (k) => ({
      startKeyGroup: k.startKeyGroup, endKeyGroup: k.endKeyGroup, offsets: k.offsets, data: await read(k.handle, `keyed state of operator ${nodeId}`),
      ...(k.incremental?.kind === 'delta' ? { format: DELTA_FORMAT } : {}),
    })));
    const operator = await Promise.all(st.operator.map(async (o) => ({ states: o.states, data: await read(o.handle, `operator state of operator ${nodeId}`) })));
    const inputChannels = await Promise.all((st.inputChannel ?? []).map(async (c) => {
      const bytes = await read(c.handle, `in-flight data of input channel ${c.channel}`);
      try {
        return { channel: c.channel, batches: channelUnpackr.unpack(bytes) as Array<[unknown[], number[] | null]> };
      } catch (e) {
        throw new CheckpointRestoreError(restore.checkpointId, `Cannot restore from checkpoint ${restore.checkpointId}: in-flight data of input channel ${c.channel} is corrupt: ${(e as Error).message}`);
      }
    }));
    out.set(nodeId, { keyed, operator, ...(inputChannels.length > 0 ? { inputChannels, ...(st.inputChannelFilter === 'KEY_GROUPS' ? { inputChannelsByKeyGroup: true } : {}) } : {}) });
  }
  return out;
}

/** Wraps a decoding failure of restored state as a CheckpointRestoreError (corrupt frames are only found while decoding). */
export function asRestoreError(checkpointId: number, e: unknown): CheckpointRestoreError {
  if (e instanceof CheckpointRestoreError) return e;
  return new CheckpointRestoreError(checkpointId, `Cannot restore from checkpoint ${checkpointId}: ${(e as Error).message ?? String(e)}`);
}
