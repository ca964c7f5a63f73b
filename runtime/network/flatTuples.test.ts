import { describe, expect, it } from 'vitest';
import { Unpackr } from 'msgpackr';
import { RecordBufferBuilder } from './RecordBufferBuilder.js';
import { RecordDeserializer } from './RecordDeserializer.js';
import { FLAG_FLAT_TUPLES, HEADER_SIZE, type NetworkBuffer } from './NetworkBuffer.js';

// Flat tuples (short arrays of numbers and short ASCII strings) are written without msgpackr and, in a buffer
// of nothing else, read without it (FLAG_FLAT_TUPLES): they must come back exactly as msgpack would give them.

function builder(bufferSize = 4096): { b: RecordBufferBuilder; out: NetworkBuffer[] } {
  const out: NetworkBuffer[] = [];
  const b = new RecordBufferBuilder(bufferSize, { acquireBuffer: () => new ArrayBuffer(bufferSize), onBufferFinished: (x) => out.push(x) }, () => 'Test (1/1)');
  return { b, out };
}

const flags = (nb: NetworkBuffer): number => new Uint8Array(nb.buffer)[1]!;

const EDGE_NUMBERS = [
  0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769,
  -(2 ** 31), -(2 ** 31) - 1, 1.5, -2.25, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e300, 5e-324, Number.MAX_VALUE,
];
const EDGE_STRINGS = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'key-12345', ...[12, 13, 20, 24, 25, 31].map((n) => 'product-0123456789abcdefghij'.slice(0, n).padEnd(n, 'z'))];

function sameTuple(got: unknown, want: unknown[]): void {
  expect(Array.isArray(got)).toBe(true);
  const g = got as unknown[];
  expect(g.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Object.is(g[i], want[i]), `field ${i}: ${String(want[i])} came back as ${String(g[i])}`).toBe(true);
}

describe('flat tuples in network buffers', () => {
  it('round-trip every int width, float, -0, NaN, ±Infinity and short ASCII string exactly, flagged and without msgpackr', () => {
    const { b, out } = builder(1024);
    const tuples: unknown[][] = [];
    for (const x of EDGE_NUMBERS) tuples.push([x], [x, 1], [EDGE_STRINGS[tuples.length % EDGE_STRINGS.length]!, x, -x]);
    for (const s of EDGE_STRINGS) tuples.push([s, s.length, s, 0.5], [s, 1, 2, 3, 4, s]);
    tuples.push([], Array.from({ length: 15 }, (_, i) => i * 1000.5));
    for (const t of tuples) b.add(t, undefined);
    b.finish();
    expect(out.length).toBeGreaterThan(1); // several buffers: the size bound near a buffer's end is exercised
    const d = new RecordDeserializer();
    const got: unknown[] = [];
    for (const nb of out) {
      expect(flags(nb) & FLAG_FLAT_TUPLES).toBe(FLAG_FLAT_TUPLES);
      got.push(...d.decode(nb.buffer, nb.length).values);
      // Plain msgpack: any decoder reads the same values.
      const view = new DataView(nb.buffer);
      const plain = new Unpackr().unpackMultiple(Buffer.from(nb.buffer, HEADER_SIZE, view.getUint32(8, true) - HEADER_SIZE)) as unknown[];
      expect(plain.length).toBe(view.getUint32(4, true));
    }
    expect(got.length).toBe(tuples.length);
    for (let i = 0; i < tuples.length; i++) sameTuple(got[i], tuples[i]!);
  });

  it('does not flag a buffer that also holds other records, and keeps msgpackr structures in sync across flat buffers', () => {
    const { b, out } = builder(1024);
    const records: unknown[] = [];
    const emit = (v: unknown, ts?: number): void => { records.push(v); b.add(v, ts); };
    emit({ id: 1, name: 'defines a structure' });
    emit([1, 2]);
    emit(['é', 1]); // not ASCII: written by msgpackr
    emit([1, { nested: true }]); // not flat
    b.finish();
    for (let i = 0; i < 300; i++) emit([i, i * 0.5]); // flat-only buffers
    b.finish();
    emit({ id: 2, name: 'refers to the structure' });
    for (let i = 0; i < 5; i++) emit([i, 'x'], 1000 + i); // timestamped flat tuples
    b.finish();
    const d = new RecordDeserializer();
    const got: unknown[] = [];
    const ts: (number | null)[] = [];
    for (const nb of out) {
      const r = d.decode(nb.buffer, nb.length);
      got.push(...r.values);
      for (let i = 0; i < r.values.length; i++) ts.push(r.timestamps === null ? null : r.timestamps[i]!);
    }
    expect(out.map((nb) => (flags(nb) & FLAG_FLAT_TUPLES) !== 0)).toEqual([false, ...out.slice(1, -2).map(() => true), false, true]);
    expect(got).toStrictEqual(records);
    expect(ts.slice(-5)).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('fails with a clear error on a corrupt flat buffer', () => {
    const { b, out } = builder();
    b.add([1, 2], undefined);
    b.finish();
    new Uint8Array(out[0]!.buffer)[HEADER_SIZE + 1] = 0xc1; // never used by msgpack
    expect(() => new RecordDeserializer().decode(out[0]!.buffer, out[0]!.length)).toThrow(/flat tuples is corrupt: byte 0xc1 at offset 17/);
  });
});
