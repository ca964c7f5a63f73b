import { describe, it, expect } from 'vitest';
import { copyStateValue } from './copyStateValue.js';

class Counter {
  constructor(public n: number, public tags: string[]) {}
  inc(): void { this.n++; }
}

describe('copyStateValue', () => {
  it('copies nested plain data deeply', () => {
    const v = { a: [1, 'x', { b: 2n }], m: new Map<string, number[]>([['k', [1]]]), s: new Set([[1]]), d: new Date(5), u: new Uint8Array([1, 2]), nil: null, und: undefined };
    const c = copyStateValue(v);
    expect(c).toEqual(v);
    (c.a[2] as { b: bigint }).b = 3n; c.m.get('k')!.push(2); [...c.s][0]!.push(9); c.d.setTime(6); c.u[0] = 7;
    expect(v).toEqual({ a: [1, 'x', { b: 2n }], m: new Map([['k', [1]]]), s: new Set([[1]]), d: new Date(5), u: new Uint8Array([1, 2]), nil: null, und: undefined });
  });

  it('keeps the prototype of user classes (structuredClone made them plain objects)', () => {
    const v = new Counter(1, ['a']);
    const c = copyStateValue(v);
    expect(c).toBeInstanceOf(Counter);
    c.inc(); c.tags.push('b');
    expect(v.n).toBe(1);
    expect(v.tags).toEqual(['a']);
    expect(c.n).toBe(2);
  });

  it('returns primitives and null-prototype objects faithfully', () => {
    expect(copyStateValue(3)).toBe(3);
    expect(copyStateValue('s')).toBe('s');
    const o = Object.assign(Object.create(null) as Record<string, number>, { x: 1 });
    const c = copyStateValue(o);
    expect(Object.getPrototypeOf(c)).toBe(null);
    expect(c.x).toBe(1);
    expect(c).not.toBe(o);
  });
});
