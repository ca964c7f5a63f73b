import { describe, it, expect } from 'vitest';
import { StateFrameWriter, readFrame, STATE_FORMAT_VERSION } from './StateSerializer.js';

const what = (): string => 'Test state';

function roundTrip(v: unknown): unknown {
  const w = new StateFrameWriter();
  const off = w.write(v, what);
  return readFrame(w.finish(), off, what);
}

describe('state frames', () => {
  it('round-trips the JS values user state holds, keeping Maps apart from plain objects', () => {
    const v = {
      n: 1, f: -7.25, neg0: -0, nan: NaN, inf: -Infinity, big: 2 ** 60, s: 'ü€😀', t: true, nul: null, undef: undefined,
      bigs: [0n, -5n, 2n ** 64n, -(2n ** 100n)],
      map: new Map<unknown, unknown>([[1, 'a'], ['k', { z: 1 }], [true, null], [3n, [1]]]),
      strMap: new Map([['a', 1]]), emptyMap: new Map(), emptyObj: {}, numKeys: { 3: 'x', b: 2 },
      date: new Date(123456), bytes: new Uint8Array([0, 1, 255]), set: new Set([1, 'x']),
      nested: [[undefined, null], { m: new Map([[[1, 2], 'arrayKey']]) }],
    };
    const r = roundTrip(v) as typeof v;
    expect(r).toEqual(v);
    expect(Object.is(r.neg0, -0)).toBe(true);
    expect(r.map).toBeInstanceOf(Map);
    expect(r.strMap).toBeInstanceOf(Map);
    expect(r.emptyObj).not.toBeInstanceOf(Map);
    expect(Object.getPrototypeOf(r.numKeys)).toBe(Object.prototype);
    expect(r.date).toBeInstanceOf(Date);
    expect(r.bytes).toBeInstanceOf(Uint8Array);
    expect(typeof r.bigs[0]).toBe('bigint');
    expect(typeof r.big).toBe('number');
    expect('undef' in r).toBe(true);
  });

  it('frames decode independently of each other and in any order', () => {
    const w = new StateFrameWriter();
    const values = Array.from({ length: 50 }, (_, i) => ({ id: i, tag: `t${i}`, inner: { i } }));
    const offs = values.map((v) => w.write(v, what));
    const data = w.finish();
    for (let i = values.length - 1; i >= 0; i -= 7) expect(readFrame(data, offs[i], what)).toEqual(values[i]);
  });

  it('starts every frame with the format version byte', () => {
    const w = new StateFrameWriter();
    const a = w.write('x', what), b = w.write([1, 2], what);
    const data = w.finish();
    expect(data[a]).toBe(STATE_FORMAT_VERSION);
    expect(data[b]).toBe(STATE_FORMAT_VERSION);
  });

  it('the returned bytes are a buffer of their own', () => {
    const w = new StateFrameWriter();
    w.write('abc', what);
    const data = w.finish();
    expect(data.byteOffset).toBe(0);
    expect(data.buffer.byteLength).toBe(data.byteLength);
  });

  it('refuses functions in state instead of dropping them', () => {
    expect(() => new StateFrameWriter().write({ f: () => 1 }, () => "State 'x'")).toThrow(/State 'x': state holds a function/);
  });

  it('names the state on a wrong version, a truncated frame, left-over or garbage bytes', () => {
    const w = new StateFrameWriter();
    w.write({ a: [1, 2, 3], b: 'hello' }, what);
    const good = w.finish();
    const named = (): string => 'Keyed state of key group 7';
    const badVersion = good.slice(); badVersion[0] = 99;
    expect(() => readFrame(badVersion, 0, named)).toThrow(/key group 7: unknown state format version 99/);
    expect(() => readFrame(good.subarray(0, good.length - 2), 0, named)).toThrow(/key group 7: state bytes are truncated/);
    expect(() => readFrame(good.subarray(0, 3), 0, named)).toThrow(/key group 7: state bytes are corrupt or truncated/);
    expect(() => readFrame(good, good.length + 4, named)).toThrow(/key group 7/);
    const longer = good.slice(); new DataView(longer.buffer).setUint32(1, good.length - 5 - 2);
    expect(() => readFrame(longer, 0, named)).toThrow(/key group 7: state bytes are corrupt/);
    const garbage = new Uint8Array([STATE_FORMAT_VERSION, 0, 0, 0, 2, 0xc1, 0xc1]);
    expect(() => readFrame(garbage, 0, named)).toThrow(/key group 7: state bytes are corrupt/);
  });
});
