// Every subtask gets its own copy of a user function's fields (Flink deserializes the function per
// subtask): containers made in a constructor are not shared between subtasks or attempts in one thread.
import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { StreamExecutionEnvironment, RichMapFunction } from 'tsflink';
import { copyUserFunction } from './copyUserFunction.js';

class Dedup extends RichMapFunction<number, string> {
  private readonly seen = new Map<number, number>();
  private readonly order: number[] = [];
  map(v: number): string {
    const n = (this.seen.get(v) ?? 0) + 1;
    this.seen.set(v, n);
    this.order.push(v);
    return `${this.getRuntimeContext().getTaskInfo().indexOfThisSubtask}:${v}:${n}:${this.order.length}`;
  }
}

describe('copyUserFunction', () => {
  it('copies Maps, Sets, arrays, nested objects, dates and buffers; keeps the prototype and methods', () => {
    class Helper { constructor(readonly items: string[] = []) {} size(): number { return this.items.length; } }
    class F {
      m = new Map<string, number[]>([['a', [1]]]);
      s = new Set([1, 2]);
      nested = { list: [{ x: 1 }], helper: new Helper(['h']) };
      when = new Date(1000);
      bytes = Buffer.from('ab');
      typed = new Float64Array([1.5]);
      get total(): number { return this.s.size; }
    }
    const f = new F();
    const c = copyUserFunction(f);
    expect(c).toBeInstanceOf(F);
    expect(c).not.toBe(f);
    c.m.get('a')!.push(2); c.m.set('b', []); c.s.add(3); c.nested.list[0]!.x = 9; c.nested.helper.items.push('i');
    c.when.setTime(5); c.bytes[0] = 0x7a; c.typed[0] = 0;
    expect([...f.m.entries()]).toEqual([['a', [1]]]);
    expect([...f.s]).toEqual([1, 2]);
    expect(f.nested.list[0]!.x).toBe(1);
    expect(f.nested.helper.size()).toBe(1);
    expect(c.nested.helper).toBeInstanceOf(Helper);
    expect(c.nested.helper.size()).toBe(2);
    expect(f.when.getTime()).toBe(1000);
    expect(f.bytes.toString()).toBe('ab');
    expect(Buffer.isBuffer(c.bytes)).toBe(true);
    expect(f.typed[0]).toBe(1.5);
    expect(c.total).toBe(3);
  });

  it('keeps cycles and shared references inside the copy; shares closures, promises, emitters and shared memory', () => {
    const shared = { n: 1 };
    const emitter = new EventEmitter();
    const p = Promise.resolve(1);
    const fn = (x: number): number => x + 1;
    const sab = new Int32Array(new SharedArrayBuffer(4));
    const f: Record<string, unknown> = { a: shared, b: shared, emitter, p, fn, sab };
    f.self = f;
    const c = copyUserFunction(f);
    expect(c.self).toBe(c);
    expect(c.a).toBe(c.b);
    expect(c.a).not.toBe(shared);
    expect(c.emitter).toBe(emitter);
    expect(c.p).toBe(p);
    expect(c.fn).toBe(fn);
    expect(c.sab).toBe(sab); // shared memory stays shared (Atomics.wait needs it)
  });

  it('returns a plain function (a lambda) as it is', () => {
    const lambda = (x: number): number => x;
    expect(copyUserFunction(lambda)).toBe(lambda);
  });

  it('a BATCH job with more subtasks than slots: subtasks that reuse a slot thread do not see each other\'s fields', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(4, { 'taskmanager.numberOfTaskSlots': '1' });
    env.setRuntimeMode('BATCH');
    const out = await env.fromSequence(1, 8).rebalance().map(new Dedup()).executeAndCollect();
    // Each subtask sees every value of its own once: counts are 1 and its own list grows from 1.
    for (const line of out) expect(line.split(':')[2]).toBe('1');
    const bySubtask = new Map<string, number[]>();
    for (const line of out) { const [s, , , len] = line.split(':'); (bySubtask.get(s!) ?? bySubtask.set(s!, []).get(s!)!).push(Number(len)); }
    for (const lens of bySubtask.values()) expect(lens.sort((a, b) => a - b)).toEqual(lens.map((_, i) => i + 1));
    expect(out).toHaveLength(8);
  });
});
