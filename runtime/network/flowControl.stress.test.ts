import { describe, expect, it } from 'vitest';
import { ShuffleEnvironment, type SingleInputGate } from './index.js';

// Randomized configurations of the credit protocol: every run must deliver everything, in order, without
// stalling, whatever the mix of exclusive/floating credit, queue bound, buffer timeout and consumer speed.

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function consume(gate: SingleInputGate, rnd: () => number, out: number[][]): Promise<void> {
  let ended = 0;
  const deadline = Date.now() + 15_000;
  while (ended < gate.numberOfChannels) {
    if (Date.now() > deadline) throw new Error(`consumer stalled: ${ended}/${gate.numberOfChannels} channels ended, ${out.map((o) => o.length).join(',')} records`);
    const b = gate.pollNext();
    if (b === null) {
      await Promise.race([gate.getAvailableFuture(), sleep(100)]);
      continue;
    }
    if (b.kind === 'records') for (const v of b.values) out[b.channel]!.push((v as [number, number])[1]);
    else if (b.event.type === 'EndOfPartition') ended++;
    // a slow consumer now and then
    if (rnd() < 0.05) await sleep(1);
  }
}

describe('credit protocol under random configurations', () => {
  for (let seed = 1; seed <= Number(process.env.NW_SEEDS ?? 24); seed++) {
    it(`seed ${seed}`, async () => {
      const rnd = prng(seed);
      const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const buffersPerChannel = pick([0, 1, 2, 3]);
      const floatingBuffersPerGate = buffersPerChannel === 0 ? pick([1, 2, 4]) : pick([0, 1, 4, 8]);
      const config = { bufferSize: pick([1024, 2048, 32768]), buffersPerChannel, floatingBuffersPerGate, maxBuffersPerSubpartition: pick([1, 2, 5]) };
      const bufferTimeout = pick([-1, 0, 2, 10]);
      const producers = pick([1, 2, 3]);
      const consumers = pick([1, 2, 4]);
      const perProducer = pick([500, 3000, 10_000]);
      if (process.env.NW_DEBUG) console.log(JSON.stringify({ seed, config, bufferTimeout, producers, consumers, perProducer }));
      const env = new ShuffleEnvironment({ slotIndex: 0, config });
      const parts = Array.from({ length: producers }, (_, p) => env.createResultPartition({ partitionId: `p${p}`, numSubpartitions: consumers, bufferTimeout, owner: `P${p}` }));
      const gates = Array.from({ length: consumers }, (_, c) =>
        env.createInputGate({ channels: Array.from({ length: producers }, (_, p) => ({ partitionId: `p${p}`, subpartition: c, location: { kind: 'local' } as const })), owner: `C${c}` }),
      );
      const outs = gates.map(() => Array.from({ length: producers }, () => [] as number[]));
      const done = gates.map((g, c) => consume(g, prng(seed * 100 + c), outs[c]!));
      await Promise.all(
        parts.map(async (part, p) => {
          const r = prng(seed * 1000 + p);
          const next = new Array<number>(consumers).fill(0);
          for (let i = 0; i < perProducer; i++) {
            const c = Math.floor(r() * consumers);
            part.emitRecord(c, [p, next[c]!++, 'x'.repeat(Math.floor(r() * 200))], r() < 0.5 ? i : undefined);
            if (r() < 0.01) part.broadcastEvent({ type: 'Watermark', timestamp: i });
            if (!part.isAvailable()) await part.getAvailableFuture();
            if (r() < 0.01) await sleep(0);
          }
          part.finish();
        }),
      );
      await Promise.all(done);
      for (let c = 0; c < consumers; c++) {
        for (let p = 0; p < producers; p++) {
          const seq = outs[c]![p]!;
          for (let k = 0; k < seq.length; k++) if (seq[k] !== k) throw new Error(`order broken ${p}->${c} at ${k}: ${seq[k]}`);
        }
      }
      const total = outs.flat().reduce((n, s) => n + s.length, 0);
      expect(total).toBe(producers * perProducer);
      // memory stays bounded by credits + queue bounds, not by the records sent
      const bound = producers * consumers * (config.buffersPerChannel + config.maxBuffersPerSubpartition + 3) + consumers * config.floatingBuffersPerGate + 8;
      expect(env.pool.numAllocated).toBeLessThanOrEqual(bound);
      env.close();
    });
  }
});
