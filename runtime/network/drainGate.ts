// Test helpers (not exported from index.ts).
import type { InputBatch, SingleInputGate } from './SingleInputGate.js';

export interface Drained {
  /** Records per channel, in arrival order. */
  records: unknown[][];
  timestamps: (number | null)[][];
  /** Events per channel, in arrival order. */
  events: InputBatch[];
  /** Records and events of each channel in one sequence: ['r', value] | ['e', type]. */
  sequence: [string, unknown][][];
}

/** Polls the gate until every channel delivered EndOfPartition. */
export async function drainGate(gate: SingleInputGate, opts: { timeoutMs?: number } = {}): Promise<Drained> {
  const n = gate.numberOfChannels;
  const out: Drained = { records: [], timestamps: [], events: [], sequence: [] };
  for (let i = 0; i < n; i++) {
    out.records.push([]);
    out.timestamps.push([]);
    out.sequence.push([]);
  }
  let ended = 0;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (ended < n) {
    const b = gate.pollNext();
    if (b === null) {
      if (Date.now() > deadline) throw new Error(`drainGate: timed out with ${ended}/${n} channels ended`);
      await Promise.race([gate.getAvailableFuture(), new Promise((r) => setTimeout(r, 200))]);
      continue;
    }
    if (b.kind === 'records') {
      for (let i = 0; i < b.values.length; i++) {
        out.records[b.channel]!.push(b.values[i]);
        out.timestamps[b.channel]!.push(b.timestamps === null ? null : b.timestamps[i]!);
        out.sequence[b.channel]!.push(['r', b.values[i]]);
      }
    } else {
      out.events.push(b);
      out.sequence[b.channel]!.push(['e', b.event.type]);
      if (b.event.type === 'EndOfPartition') ended++;
    }
  }
  return out;
}
