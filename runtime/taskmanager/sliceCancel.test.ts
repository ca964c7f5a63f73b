// A task with a slow user function still answers: it processes an input batch in slices and yields
// between them, so cancel (and mails, checkpoints) are not held back until a whole buffer of records
// (thousands of small ones) went through the function.
import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, RichMapFunction, DiscardingSink } from 'tsflink';

const busy = (ms: number): void => { const end = performance.now() + ms; while (performance.now() < end) { /* a slow function */ } };

class Slow extends RichMapFunction<number, number> {
  map(v: number): number { busy(5); return v; }
}

describe('a task with a slow function', () => {
  it('reports RUNNING and is canceled within seconds although one input buffer holds > 10 s of work', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    // keyBy: the slow map is a separate task, fed whole buffers (up to thousands of numbers) in-thread.
    env.fromSequence(1, 100_000).keyBy((x) => x % 7).map(new Slow()).sinkTo(new DiscardingSink());
    const client = await env.executeAsync('slow map');
    const t0 = Date.now();
    while ((await client.getJobStatus()) !== 'RUNNING') await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const c0 = Date.now();
    await client.cancel();
    await expect(client.getJobExecutionResult()).rejects.toThrow(/cancel/i);
    // One buffer of these numbers is > 2,000 records = > 10 s of map calls. Unsliced, the slot thread
    // is held that long before its RUNNING report and the cancel get through; sliced, it yields every few ms.
    expect(c0 - t0).toBeLessThan(9_000);
    expect(Date.now() - c0).toBeLessThan(4_000);
  }, 60_000);
});
