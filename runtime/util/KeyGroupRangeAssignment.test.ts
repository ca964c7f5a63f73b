import { describe, it, expect } from 'vitest';
import { murmur3 } from './MathUtils.js';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup, computeKeyGroupRangeForOperatorIndex, assignKeyToParallelOperator } from './KeyGroupRangeAssignment.js';
import { KeyEncoder, keyToMapKey } from './KeyEncoding.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3 (x86, 32-bit, seed 0)', () => {
  it('matches the reference test vectors', () => {
    expect(murmur3(utf8(''))).toBe(0);
    expect(murmur3(utf8('hello'))).toBe(0x248bfa47);
    expect(murmur3(utf8('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
    expect(murmur3(utf8('abc'))).toBe(0xb3dd93fa);
  });
});

describe('key groups', () => {
  it('uses Flink\'s formulas and every key group has exactly one owner', () => {
    for (const [maxP, p] of [[128, 1], [128, 3], [128, 4], [100, 7], [32768, 13]]) {
      let next = 0;
      for (let op = 0; op < p; op++) {
        const r = computeKeyGroupRangeForOperatorIndex(maxP, p, op);
        expect(r.startKeyGroup).toBe(next);
        for (let kg = r.startKeyGroup; kg <= r.endKeyGroup; kg++) expect(computeOperatorIndexForKeyGroup(maxP, p, kg)).toBe(op);
        next = r.endKeyGroup + 1;
      }
      expect(next).toBe(maxP);
    }
  });

  it('is stable: pinned values guard savepoint compatibility across versions', () => {
    expect(assignToKeyGroup('hello', 128)).toBe(assignToKeyGroup('hello', 128));
    const pinned = ['a', 'word', 42, 7n, true, ['x', 1]].map((k) => assignToKeyGroup(k, 128));
    expect(pinned).toEqual(PINNED);
  });

  it('number keys hashed from the float directly give the key groups of their canonical bytes', () => {
    const enc = new KeyEncoder();
    const viaBytes = (k: number, maxP: number): number => { const n = enc.encode(k); return murmur3(enc.bytes, n) % maxP; };
    const keys = [0, -0, 1, -1, 42, 0.5, -2.75, 1e-300, 5e-324, 2 ** 53 - 1, -(2 ** 53), 1e308, Infinity, -Infinity, NaN, Math.PI];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      keys.push(i, i % 10_000, x, x / 7, x * 1e10);
    }
    for (const maxP of [128, 100, 32768]) for (const k of keys) expect(assignToKeyGroup(k, maxP)).toBe(viaBytes(k, maxP));
  });

  it('equal keys encode equally; -0 and 0 are one key; different types differ', () => {
    const enc = new KeyEncoder();
    const bytes = (k: unknown): string => { const n = enc.encode(k); return Buffer.from(enc.bytes.subarray(0, n)).toString('hex'); };
    expect(bytes(['a', 1])).toBe(bytes(['a', 1]));
    expect(bytes(-0)).toBe(bytes(0));
    expect(bytes(1)).not.toBe(bytes(1n));
    expect(bytes('1')).not.toBe(bytes(1));
    expect(keyToMapKey(['a', [1, 2]])).toBe(keyToMapKey(['a', [1, 2]]));
    expect(assignKeyToParallelOperator('k', 128, 4)).toBeLessThan(4);
    const long = 'x'.repeat(10_000);
    expect(assignToKeyGroup(long, 128)).toBe(assignToKeyGroup('x'.repeat(10_000), 128));
  });
});

// Computed once with this implementation; a change here breaks restoring keyed state.
const PINNED = [82, 55, 74, 117, 85, 28];

describe('key encoding of strings', () => {
  it('the JS UTF-8 path for short keys equals TextEncoder, incl. surrogate pairs and lone surrogates', () => {
    const enc = new KeyEncoder();
    for (const s of ['', 'abc', 'é', '€uro', '😀x', 'a\ud800b', '\udc00', 'x'.repeat(64), 'ü'.repeat(64), 'y'.repeat(65)]) {
      const n = enc.encode(s);
      const expected = new TextEncoder().encode(s);
      expect(Buffer.from(enc.bytes.subarray(5, n)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    }
  });
});
