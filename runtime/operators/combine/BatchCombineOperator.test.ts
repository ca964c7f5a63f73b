// BATCH pre-aggregation: the plan (a combiner chained to the producer, STREAMING and disabled plans unchanged)
// and the results (same final values per key with and without the combiner, also when it flushes often).
import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from 'tsflink';

function env(mode: 'BATCH' | 'STREAMING', p: number, conf: Record<string, string> = {}): StreamExecutionEnvironment {
  const e = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
  e.setRuntimeMode(mode);
  return e;
}

const words = Array.from({ length: 2000 }, (_, i) => `w${(i * 7) % 37}`);
const expected = (() => {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m].map(([w, n]) => [w, n] as [string, number]).sort((a, b) => a[0].localeCompare(b[0]));
})();

describe('BatchCombineOperator', () => {
  it('BATCH sum/reduce: a combiner chained before the keyed exchange; STREAMING and execution.batch.pre-aggregation.enabled=false have none', () => {
    const names = (e: StreamExecutionEnvironment): string[] => {
      e.fromElements(...words).map((w): [string, number] => [w, 1]).keyBy((t) => t[0]).sum(1).print();
      return [...e.getStreamGraph('t', false).nodes.values()].map((n) => `${n.id}:${n.operatorKind}`);
    };
    const batch = names(env('BATCH', 2));
    expect(batch.filter((n) => n.endsWith(':BatchCombineOperator'))).toHaveLength(1);
    expect(names(env('STREAMING', 2)).some((n) => n.includes('Combine'))).toBe(false);
    expect(names(env('BATCH', 2, { 'execution.batch.pre-aggregation.enabled': 'false' })).some((n) => n.includes('Combine'))).toBe(false);
  });

  for (const maxKeys of ['262144', '3']) {
    it(`same final counts per key with the combiner (max-keys ${maxKeys}) as without, for sum and a user reduce`, async () => {
      const run = async (conf: Record<string, string>, how: 'sum' | 'reduce'): Promise<Array<[string, number]>> => {
        const k = env('BATCH', 2, conf).fromElements(...words).map((w): [string, number] => [w, 1]).keyBy((t) => t[0]);
        const s = how === 'sum' ? k.sum(1) : k.reduce((a, b) => [a[0], a[1] + b[1]]);
        return (await s.executeAndCollect()).sort((a, b) => a[0].localeCompare(b[0]));
      };
      const conf = { 'execution.batch.pre-aggregation.max-keys': maxKeys };
      expect(await run(conf, 'sum')).toEqual(expected);
      expect(await run(conf, 'reduce')).toEqual(expected);
      expect(await run({ 'execution.batch.pre-aggregation.enabled': 'false' }, 'sum')).toEqual(expected);
    });
  }
});
