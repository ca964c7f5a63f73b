// Creates the blocking partitions of one network stack (Flink's ResultPartitionFactory) and owns the shuffle
// directories they write to: one `tsflink-netty-shuffle-<uuid>` per `io.tmp.dirs` entry, used round-robin,
// created on first use and removed with everything in them when the stack closes.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockingShuffleConfig } from '../NetworkConfig.js';
import type { BlockingPartitionHost, BlockingResultPartition } from './BlockingResultPartition.js';
import { BoundedBlockingResultPartition } from './BoundedBlockingResultPartition.js';
import { SortMergeResultPartition } from './SortMergeResultPartition.js';
import { BatchShuffleReadBufferPool } from './BatchShuffleReadBufferPool.js';

export const SHUFFLE_DIR_PREFIX = 'tsflink-netty-shuffle-';

export class ResultPartitionFactory {
  private readonly dirs: (string | null)[];
  private next = 0;
  private seq = 0;
  private readonly readBufferPool: BatchShuffleReadBufferPool;

  constructor(
    private readonly config: Readonly<Required<BlockingShuffleConfig>>,
    private readonly bufferSize: number,
    private readonly slotIndex: number,
  ) {
    if (config.tmpDirs.length === 0) throw new Error('blocking shuffle: io.tmp.dirs is empty; configure at least one local directory for shuffle files');
    this.dirs = config.tmpDirs.map(() => null);
    this.readBufferPool = new BatchShuffleReadBufferPool(config.readBudget, config.readChunkSize);
  }

  /** Hash below `sortShuffleMinParallelism` consumers, sort-merge from there on (Flink's rule). */
  createBlocking(host: BlockingPartitionHost, opts: { partitionId: string; numSubpartitions: number; owner: string }): BlockingResultPartition {
    const c = this.config;
    const common = {
      ...opts,
      bufferSize: this.bufferSize,
      compression: c.compression,
      readChunkSize: c.readChunkSize,
      releaseOnConsumption: c.releaseOnConsumption,
      readBufferPool: this.readBufferPool,
    };
    if (opts.numSubpartitions < c.sortShuffleMinParallelism) return new BoundedBlockingResultPartition(host, common);
    return new SortMergeResultPartition(host, { ...common, numWriteBuffers: c.sortShuffleMinBuffers });
  }

  newShuffleFilePrefix(): string {
    const i = this.next;
    this.next = (this.next + 1) % this.dirs.length;
    let dir = this.dirs[i]!;
    if (dir === null) {
      dir = join(this.config.tmpDirs[i]!, `${SHUFFLE_DIR_PREFIX}${randomUUID()}`);
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        throw new Error(`blocking shuffle: cannot create shuffle directory ${dir} (io.tmp.dirs entry ${this.config.tmpDirs[i]}): ${(e as Error).message}`);
      }
      this.dirs[i] = dir;
    }
    return join(dir, `slot${this.slotIndex}-${++this.seq}-${randomUUID().slice(0, 8)}`);
  }

  /** Directories created so far (tests). */
  get shuffleDirs(): string[] {
    return this.dirs.filter((d): d is string => d !== null);
  }

  /** Removes the shuffle directories and every file left in them. */
  close(): void {
    for (let i = 0; i < this.dirs.length; i++) {
      const d = this.dirs[i];
      if (d !== null && d !== undefined) rmSync(d, { recursive: true, force: true });
      this.dirs[i] = null;
    }
  }
}
