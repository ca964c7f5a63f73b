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

describe('task IO metrics in the JobMaster', () => {
  it('keeps the latest heartbeat values while tasks run; final values win and make the vertex complete', async () => {
    const { DiscardingSink } = await import('tsflink');
    const { captureStreamGraph } = await import('../../usercode/PlanningEnvironment.js');
    const { Configuration } = await import('../../configuration/index.js');
    const { StreamingJobGraphGenerator } = await import('../../graph/jobgraph/StreamingJobGraphGenerator.js');
    const { ResourceManager } = await import('../resourcemanager/ResourceManager.js');
    const { JobMaster } = await import('./JobMaster.js');
    const { jobDetailsInfo } = await import('../../rest/messages/JobDetailsInfo.js');
    const sg = await captureStreamGraph(async () => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.fromSequence(1, 10).keyBy((x: number) => x % 2).map((x: number) => x).sinkTo(new DiscardingSink<number>());
      await env.execute('metrics');
    }, [], { baseConfiguration: new Configuration(), defaultParallelism: 2, executionIndex: 0, what: 'test' });
    const jobGraph = new StreamingJobGraphGenerator(sg).generate();
    const deployed: Array<{ executionAttemptId: string; vertexId: string }> = [];
    const rm = new ResourceManager();
    rm.registerTaskExecutor({
      taskManagerId: 'fake-tm', singleThreaded: true,
      submitTask: (tdd) => { deployed.push(tdd); },
      cancelTask: (id) => queueMicrotask(() => jm.updateTaskExecutionState({ jobId: jm.jobId, executionAttemptId: id, state: 'CANCELED' })),
      sendOperatorEventToTask: () => {}, releaseJob: () => {},
    }, 4);
    const jm = new JobMaster({ jobGraph, defaultParallelism: 2 }, sg, rm);
    await jm.start();
    expect(deployed.length).toBe(4);
    const edge = jobGraph.edges[0]!;
    const keyedMetrics = () => jobDetailsInfo({ master: jm, result: undefined }).vertices.find((v) => v.id === edge.targetVertexId)!.metrics;
    const keyed = deployed.filter((d) => d.vertexId === edge.targetVertexId);
    const [a, b] = keyed.map((d) => d.executionAttemptId) as [string, string];
    for (const d of deployed) {
      jm.updateTaskExecutionState({ jobId: jm.jobId, executionAttemptId: d.executionAttemptId, state: 'INITIALIZING' });
      jm.updateTaskExecutionState({ jobId: jm.jobId, executionAttemptId: d.executionAttemptId, state: 'RUNNING' });
    }
    expect(keyedMetrics()).toMatchObject({ 'read-records': 0, 'read-records-complete': false });
    // Records and bytes in; idle, back-pressured, busy ms.
    const io = (n: number, idle = 0, bp = 0, busy = 0) => ({ numRecordsIn: n, numRecordsOut: 0, numBytesIn: n * 10, numBytesOut: 0, accumulatedIdleTime: idle, accumulatedBackPressuredTime: bp, accumulatedBusyTime: busy });
    jm.updateTaskMetrics(a, io(3, 50, 0, 10));
    jm.updateTaskMetrics(b, io(2, 20, 5, 30));
    jm.updateTaskMetrics('no-such-attempt', { ...io(99, 999, 999, 999), numRecordsOut: 99, numBytesOut: 99 });
    // Counters are sums; accumulated times the maximum over the subtasks.
    expect(keyedMetrics()).toMatchObject({ 'read-records': 5, 'read-bytes': 50, 'read-records-complete': false,
      'accumulated-idle-time': 50, 'accumulated-backpressured-time': 5, 'accumulated-busy-time': 30 });
    jm.updateTaskExecutionState({ jobId: jm.jobId, executionAttemptId: a, state: 'FINISHED', io: io(6, 70, 0, 12) });
    // A heartbeat sampled before the end arrives late: ignored.
    jm.updateTaskMetrics(a, io(4, 60, 0, 11));
    expect(keyedMetrics()).toMatchObject({ 'read-records': 8, 'read-bytes': 80, 'read-records-complete': false, 'accumulated-idle-time': 70 });
    jm.updateTaskExecutionState({ jobId: jm.jobId, executionAttemptId: b, state: 'FINISHED', io: io(4, 20, 8, 40) });
    expect(keyedMetrics()).toMatchObject({ 'read-records': 10, 'read-bytes': 100, 'read-records-complete': true, 'write-records-complete': true,
      'accumulated-idle-time': 70, 'accumulated-backpressured-time': 8, 'accumulated-busy-time': 40 });
    await jm.cancel();
    expect(jm.status).toBe('CANCELED');
  });
});
