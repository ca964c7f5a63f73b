import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, type JobClient } from 'tsflink';
import { waitFor } from '../../testing/waitFor.js';
import { windowedPipeline, windowStrategy, windowsExpected } from './fixtures/windows-job.js';

// Flink's RescalingITCase idea for windows: a windowed job is stopped with a savepoint mid-run and
// resumed at another parallelism; window contents (WindowOperator: reduce and session/merging state;
// SlicingWindowOperator: pane accumulators), their timers and the source positions move to the new
// subtasks by key group, and the windows of both runs together are exactly the windows of the input.
const N = 3000;

class Seen { static out: string[] = []; static maxInput = -1; }

const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

async function windowedJob(conf: Record<string, unknown>, rate: number, parallelism: number): Promise<JobClient> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { 'restart-strategy.type': 'none', 'pipeline.max-parallelism': 13, ...conf });
  const src = env.fromSource(new DataGeneratorSource((i) => i, N, rate), windowStrategy(), 'gen').uid('gen')
    .map((i: number) => { Seen.maxInput = Math.max(Seen.maxInput, i); return i; }).uid('seen-input');
  windowedPipeline(src).map((s: string) => { Seen.out.push(s); return s; }).uid('seen-output').sinkTo(new DiscardingSink<string>()).uid('sink');
  return env.executeAsync('windows-rescaling');
}

describe('window state rescales (RescalingITCase for windows)', () => {
  for (const [from, to] of [[2, 3], [3, 1]] as const) {
    it(`tumbling reduce, sliding aggregate (slicing) and session windows stopped with a savepoint at parallelism ${from}, resumed at ${to}: exactly the windows of the input`, async () => {
      Seen.out = []; Seen.maxInput = -1;
      const c = await windowedJob({ 'execution.checkpointing.savepoint-dir': `file://${tmp('tsflink-winrescale-')}` }, 3000, from);
      await waitFor('job RUNNING with windows fired', async () => ((await c.getJobStatus()) === 'RUNNING' && Seen.maxInput > 600 && Seen.out.length > 0 ? true : undefined));
      const path = await c.stopWithSavepoint(false);
      const first = [...Seen.out];
      expect(Seen.maxInput).toBeLessThan(N - 1); // stopped before the end
      Seen.out = [];
      await (await windowedJob({ 'execution.state-recovery.path': path }, 1e9, to)).getJobExecutionResult();
      expect(Seen.out.length).toBeGreaterThan(0);
      expect([...first, ...Seen.out].sort()).toEqual(windowsExpected(N));
    }, 60_000);
  }
});
