import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, RichMapFunction, JobExecutionException } from 'tsflink';

describe('failures and restarts (embedded cluster)', () => {
  it('a user exception fails the job with the message, stack, operator name and subtask', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.fromSequence(1, 100).map((x) => x).name('Fine').keyBy((x) => x % 2).map((x: number) => {
      if (x === 42) throw new Error('bad record 42');
      return x;
    }).name('Exploder').print();
    const err = await env.execute('failing').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JobExecutionException);
    const je = err as JobExecutionException;
    expect(je.message).toMatch(/Job 'failing' \([0-9a-f]{32}\) failed in Exploder \([12]\/2\): Error: bad record 42/);
    expect(je.location).toMatch(/^Exploder \([12]\/2\)$/);
    expect(je.userStack).toContain('JobMaster.test.ts');
  });

  it('restart-strategy none: the first failure is final', async () => {
    let attempts = 0;
    const env = StreamExecutionEnvironment.createLocalEnvironment(1, { 'restart-strategy.type': 'none' });
    env.fromElements(1).map(() => { attempts++; throw new Error('always'); }).print();
    await expect(env.execute()).rejects.toThrow(/always/);
    expect(attempts).toBe(1);
  });

  it('fixed-delay restarts from scratch with a new attempt number until it succeeds', async () => {
    const seen: number[] = [];
    class FailFirstTwo extends RichMapFunction<number, number> {
      map(v: number): number {
        const attempt = this.getRuntimeContext().getTaskInfo().attemptNumber;
        seen.push(attempt);
        if (attempt < 2) throw new Error(`attempt ${attempt} fails`);
        return v * 2;
      }
    }
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, {
      'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 3, 'restart-strategy.fixed-delay.delay': '10 ms',
    });
    const out = await env.fromSequence(1, 6).map(new FailFirstTwo()).executeAndCollect();
    expect(out.sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(Math.max(...seen)).toBe(2);
  });

  it('fixed-delay gives up after the configured attempts', async () => {
    let n = 0;
    const env = StreamExecutionEnvironment.createLocalEnvironment(1, {
      'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 2, 'restart-strategy.fixed-delay.delay': '1 ms',
    });
    env.fromElements(1).map(() => { n++; throw new Error('persistent'); }).print();
    await expect(env.execute()).rejects.toThrow(/persistent/);
    expect(n).toBe(3);
  });

  it('cancel through the JobClient ends an unbounded job as CANCELED', async () => {
    const { DataGeneratorSource, WatermarkStrategy, DiscardingSink } = await import('tsflink');
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.fromSource(new DataGeneratorSource((i) => i, Infinity), WatermarkStrategy.noWatermarks(), 'endless').sinkTo(new DiscardingSink());
    const client = await env.executeAsync('endless');
    await new Promise((r) => setTimeout(r, 100));
    expect(await client.getJobStatus()).toBe('RUNNING');
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
    await expect(client.getJobExecutionResult()).rejects.toThrow(/was canceled/);
  });

  it('a bad configuration value is rejected naming key, value and what is allowed', () => {
    expect(() => StreamExecutionEnvironment.createLocalEnvironment(1, { 'restart-strategy.type': 'sometimes' }))
      .toThrow(/Invalid value 'sometimes' for configuration key 'restart-strategy.type'.*expected one of none/s);
  });
});
