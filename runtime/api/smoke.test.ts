import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment } from 'tsflink';

describe('smoke', () => {
  it('wordcount in-thread', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const out = await env.fromElements('a b', 'b c', 'c c')
      .flatMap((line: string, out) => { for (const w of line.split(' ')) out.collect([w, 1] as [string, number]); })
      .keyBy((t) => t[0]).sum(1).executeAndCollect();
    console.log(out);
    expect(out.length).toBe(6);
  });
});
