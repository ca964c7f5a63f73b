import { describe, expect, it } from 'vitest';
import { KeyGroupStreamPartitioner } from './StreamPartitioner.js';
import { assignKeyToParallelOperator } from '../util/KeyGroupRangeAssignment.js';

describe('KeyGroupStreamPartitioner', () => {
  const keys: unknown[] = [0, -0, 1, 2, 127, 9999, 65535, 65536, 70000, -1, 1.5, NaN, 2 ** 40, 'a', 'key-7', 3n, [1, 'x']];

  it('routes every key to assignKeyToParallelOperator\'s channel, also the second time (small integer keys are remembered)', () => {
    for (const [maxP, n] of [[128, 2], [128, 3], [4096, 7], [7, 7]] as const) {
      const p = new KeyGroupStreamPartitioner((v) => v, maxP);
      p.setup(n, 0);
      for (let round = 0; round < 2; round++) {
        for (const k of keys) expect(p.selectChannelForKey(k), `key ${String(k)}, maxParallelism ${maxP}, ${n} channels`).toBe(assignKeyToParallelOperator(k, maxP, n));
        for (let k = 0; k < 1000; k++) expect(p.selectChannelForKey(k)).toBe(assignKeyToParallelOperator(k, maxP, n));
      }
    }
  });

  it('forgets remembered channels when the number of channels or the max parallelism changes', () => {
    const p = new KeyGroupStreamPartitioner((v) => v, 128);
    p.setup(2, 0);
    const route = (): number[] => Array.from({ length: 500 }, (_, k) => p.selectChannelForKey(k));
    route();
    p.setup(5, 0);
    expect(route()).toEqual(Array.from({ length: 500 }, (_, k) => assignKeyToParallelOperator(k, 128, 5)));
    p.maxParallelism = 1000;
    expect(route()).toEqual(Array.from({ length: 500 }, (_, k) => assignKeyToParallelOperator(k, 1000, 5)));
    expect(p.copy().selectChannel(42)).toBe(0); // a copy is set up anew (one channel until setup)
  });
});
