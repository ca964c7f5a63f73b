// One network environment per thread (Flink's ShuffleEnvironment): the public face of NetworkStack.
import type { MessagePort } from 'node:worker_threads';
import type { InputChannelDescriptor } from './InputChannelDescriptor.js';
import type { NetworkConfig } from './NetworkConfig.js';
import { NetworkStack } from './NetworkStack.js';
import type { ResultPartition } from './ResultPartition.js';
import type { SingleInputGate } from './SingleInputGate.js';
import type { LocalUplinkPort } from './tcp/LocalUplinkPort.js';

/**
 * One per thread (each worker-thread slot has one; in-thread mode has one). Flink's ShuffleEnvironment:
 * creates the partitions a task writes and the gates it reads, and owns the connections to other slots.
 */
export class ShuffleEnvironment {
  /** @internal */
  readonly stack: NetworkStack;

  constructor(opts: { slotIndex: number; config: NetworkConfig }) {
    this.stack = new NetworkStack(opts);
  }

  get slotIndex(): number {
    return this.stack.slotIndex;
  }

  get config(): Readonly<Required<NetworkConfig>> {
    return this.stack.config;
  }

  /** Free/allocated network buffers of this thread (metrics, tests). */
  get pool(): { readonly numAllocated: number; readonly numFree: number } {
    return this.stack.pool;
  }

  /** Connect this slot to another slot of the same TaskManager; all channels between the two slots are multiplexed over this one port. */
  addSlotConnection(peerSlotIndex: number, port: MessagePort): void {
    this.stack.addSlotConnection(peerSlotIndex, port);
  }

  /**
   * Connect this slot to other TaskManagers: `port` is what the TaskManager's TcpConnectionManager.attachSlot(slotIndex)
   * returned (transferred to the slot worker). Channels with `{ kind: 'remote' }` locations and requests from remote
   * consumers go through it. A ShuffleEnvironment in the TaskManager's own thread may take attachLocalSlot()'s port instead.
   */
  setRemoteUplink(port: MessagePort | LocalUplinkPort): void {
    this.stack.setRemoteUplink(port);
  }

  /**
   * `type: 'BLOCKING'` (BATCH) writes the partition to files under the blocking-shuffle tmp dirs (hash or
   * sort-merge by consumer parallelism) and serves it once finished; default PIPELINED.
   * `inThreadHandover` (default true; pipeline.object-reuse): a consumer in this thread gets the records
   * themselves; false serializes for it too, so it gets copies.
   */
  createResultPartition(opts: { partitionId: string; numSubpartitions: number; bufferTimeout: number; owner: string; type?: 'PIPELINED' | 'BLOCKING'; inThreadHandover?: boolean }): ResultPartition {
    return this.stack.createResultPartition(opts);
  }

  /** Shuffle directories this environment created so far; close() removes them. */
  get shuffleDirs(): string[] {
    return this.stack.shuffleDirs;
  }

  /** Releases the blocking partitions with these ids (the JobMaster's releasePartitions); unknown ids are ignored. */
  releasePartitions(partitionIds: readonly string[], cause: string): number {
    const ids = new Set(partitionIds);
    return this.stack.releaseBlockingPartitions((id) => ids.has(id), cause);
  }

  /** Releases every blocking partition of a job (it ended); partition ids start with `<jobId>/`. */
  releasePartitionsOfJob(jobId: string, cause: string): number {
    const prefix = `${jobId}/`;
    return this.stack.releaseBlockingPartitions((id) => id.startsWith(prefix), cause);
  }

  createInputGate(opts: { channels: InputChannelDescriptor[]; owner: string }): SingleInputGate {
    return this.stack.createInputGate(opts);
  }

  /** Releases all partitions, closes all gates and slot connections. */
  close(): void {
    this.stack.close();
  }
}
