// Shared by the channel benchmarks (B3 network-messageport.ts, B5 network-tcp.ts): the records, the
// producer and consumer loops over a tsflink channel, and the result rows with their Markdown table.
import type { NetworkConfig, ResultPartition, SingleInputGate } from '../runtime/network/index.js';

export type Shape = 'object' | 'tuple';

/** 32 KiB buffers, 2 exclusive + 8 floating credits, at most 10 buffers queued per subpartition. */
export const BENCH_NETWORK_CONFIG: NetworkConfig = { bufferSize: 32768, buffersPerChannel: 2, floatingBuffersPerGate: 8, maxBuffersPerSubpartition: 10 };

const NAMES = Array.from({ length: 1000 }, (_, i) => `product-${i}`);
export function makeRecord(i: number, shape: Shape): unknown {
  return shape === 'tuple' ? [NAMES[i % 1000]!, i] : { id: i, name: NAMES[i % 1000]!, price: (i % 10000) / 100 };
}

/** Reads a field of every record so the decode cannot be skipped. */
export function touch(values: unknown[], shape: Shape): number {
  let s = 0;
  if (shape === 'tuple') for (let i = 0; i < values.length; i++) s += (values[i] as [string, number])[1];
  else for (let i = 0; i < values.length; i++) s += (values[i] as { id: number }).id;
  return s;
}

/** Emits `n` records to subpartition 0, waiting whenever the partition is backpressured (does not finish it). */
export async function produceRecords(p: ResultPartition, n: number, shape: Shape): Promise<void> {
  for (let i = 0; i < n; i++) {
    p.emitRecord(0, makeRecord(i, shape), undefined);
    if (!p.isAvailable()) await p.getAvailableFuture();
  }
}

/**
 * Polls the gate until EndOfPartition, touching every record. Returns the records received and
 * when (performance.now()) the first batch arrived.
 */
export async function consumeRecords(gate: SingleInputGate, shape: Shape): Promise<{ records: number; firstBatchAt: number }> {
  let firstBatchAt = 0;
  let records = 0;
  let sink = 0;
  for (;;) {
    const b = gate.pollNext();
    if (b === null) {
      await gate.getAvailableFuture();
      continue;
    }
    if (firstBatchAt === 0) firstBatchAt = performance.now();
    if (b.kind === 'records') {
      records += b.values.length;
      sink += touch(b.values, shape);
    } else if (b.event.type === 'EndOfPartition') break;
  }
  if (sink === -1) console.log(sink);
  return { records, firstBatchAt };
}

export interface Row {
  scenario: string;
  shape: Shape;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  note: string;
}

export const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** The rows as a Markdown table (header included). */
export function tableLines(rows: Row[]): string[] {
  const lines = ['| scenario | record | records | time (s) | records/s | MB/s | note |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const rec = r.shape === 'tuple' ? '`[string, number]`' : '`{id, name, price}`';
    lines.push(`| ${r.scenario} | ${rec} | ${fmt(r.records)} | ${fmt(r.seconds, 2)} | ${fmt(r.recordsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${r.note} |`);
  }
  return lines;
}
