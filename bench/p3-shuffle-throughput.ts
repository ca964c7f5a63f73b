// P3's shuffle speed: one thread writes [word, 1] records into a blocking partition of 2 subpartitions (hash files,
// sort-merge file, and hash without compression), finishes it, and reads both subpartitions back through an
// input gate. MB/s of the files' bytes, to set next to the disk's dd speed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ShuffleEnvironment } from '../runtime/network/index.js';

interface Speed { writeMs: number; readMs: number; bytes: number }

function filesBytes(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir).filter((x) => x.startsWith('tsflink-netty-shuffle-'))) for (const f of readdirSync(join(dir, d))) n += statSync(join(dir, d, f)).size;
  return n;
}

async function one(tmp: string, kind: 'hash' | 'sort', compression: boolean, records: number): Promise<Speed> {
  const env = new ShuffleEnvironment({
    slotIndex: 0,
    config: {
      bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8,
      blockingShuffle: { tmpDirs: [tmp], sortShuffleMinParallelism: kind === 'sort' ? 1 : 1_000, compression },
    },
  });
  try {
    const words = Array.from({ length: 4096 }, (_, i) => `w${(i * 7919).toString(36)}`);
    const p = env.createResultPartition({ partitionId: `p3-${kind}`, numSubpartitions: 2, bufferTimeout: -1, owner: 'P3 shuffle (1/1)', type: 'BLOCKING' });
    let t = performance.now();
    for (let i = 0; i < records; i++) p.emitRecord(i & 1, [words[i & 4095]!, 1], undefined);
    p.finish();
    const writeMs = performance.now() - t;
    const bytes = filesBytes(tmp);
    const gate = env.createInputGate({ channels: [0, 1].map((s) => ({ partitionId: `p3-${kind}`, subpartition: s, location: { kind: 'local' as const } })), owner: 'P3 read (1/1)' });
    t = performance.now();
    let ended = 0, got = 0;
    while (ended < 2) {
      const b = gate.pollNext();
      if (b === null) { await gate.getAvailableFuture(); continue; }
      if (b.kind === 'records') got += b.values.length;
      else if (b.event.type === 'EndOfPartition') ended++;
    }
    const readMs = performance.now() - t;
    if (got !== records) throw new Error(`shuffle read ${got} of ${records} records`);
    return { writeMs, readMs, bytes };
  } finally {
    env.close();
  }
}

export async function shuffleThroughput(tmp: string, records = 5_000_000): Promise<{ records: number; hash: Speed; sort: Speed; raw: Speed }> {
  return { records, hash: await one(tmp, 'hash', true, records), sort: await one(tmp, 'sort', true, records), raw: await one(tmp, 'hash', false, records) };
}
