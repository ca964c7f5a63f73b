import type { Accumulator } from '../api/functions/Accumulator.js';

/** Accumulators of one task; their local values are merged by the JobMaster at job end. */
export class AccumulatorRegistry {
  private readonly accs = new Map<string, Accumulator<unknown, unknown>>();
  add(name: string, acc: Accumulator<unknown, unknown>): void {
    if (this.accs.has(name)) throw new Error(`An accumulator named '${name}' was already added in this task.`);
    this.accs.set(name, acc);
  }
  get(name: string): Accumulator<unknown, unknown> | undefined { return this.accs.get(name); }
  /** Local values as plain data, tagged with their class for merging. */
  snapshot(): Record<string, { type: string; value: unknown }> {
    const out: Record<string, { type: string; value: unknown }> = {};
    for (const [k, a] of this.accs) out[k] = { type: a.constructor.name, value: a.getLocalValue() };
    return out;
  }
}
