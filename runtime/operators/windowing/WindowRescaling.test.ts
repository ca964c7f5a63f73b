import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, TumblingEventTimeWindows,
  SlidingEventTimeWindows, EventTimeSessionWindows, ProcessWindowFunction, type TimeWindow, type Collector, type ProcessWindowContext, type JobClient,
} from 'tsflink';
import { waitFor } from '../../testing/waitFor.js';

// Flink's RescalingITCase idea for windows: a windowed job is stopped with a savepoint mid-run and
// resumed at another parallelism; window contents (WindowOperator: reduce and session/merging state;
// SlicingWindowOperator: pane accumulators), their timers and the source positions move to the new
// subtasks by key group, and the windows of both runs together are exactly the windows of the input.
const KEYS = 7;
const N = 3000;
/** Event time: 10 ms per index, and a 600 ms jump every 40 indexes (so sessions with a 500 ms gap break there). */
const ts = (i: number): number => i * 10 + Math.floor(i / 40) * 600;

class Seen { static out: string[] = []; static maxInput = -1; }

const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

class SessionCount extends ProcessWindowFunction<number, string, number, TimeWindow> {
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<number>, out: Collector<string>): void {
    let n = 0;
    for (const _ of elements) n++;
    out.collect(`session ${key} [${ctx.window().start},${ctx.window().end}) ${n}`);
  }
}

async function windowedJob(conf: Record<string, unknown>, rate: number, parallelism: number): Promise<JobClient> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { 'restart-strategy.type': 'none', 'pipeline.max-parallelism': 13, ...conf });
  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((i) => ts(i));
  const src = env.fromSource(new DataGeneratorSource((i) => i, N, rate), strategy, 'gen').uid('gen')
    .map((i: number) => { Seen.maxInput = Math.max(Seen.maxInput, i); return i; }).uid('seen-input');
  const keyed = () => src.keyBy((i) => i % KEYS);
  // WindowOperator with ReducingState.
  const tumbling = keyed().window(TumblingEventTimeWindows.of(500)).reduce((a, b) => a + b).uid('tumbling')
    .map((s: number) => `tumbling ${s}`).uid('tumbling-fmt');
  // SlicingWindowOperator (sliding aggregate with merge): panes of 250 ms.
  const sliding = keyed().window(SlidingEventTimeWindows.of(1000, 250))
    .aggregate({ createAccumulator: () => [0, -1] as [number, number], add: (i: number, a: [number, number]): [number, number] => [a[0] + 1, i % KEYS],
      getResult: (a: [number, number]) => `sliding ${a[1]} ${a[0]}`, merge: (x: [number, number], y: [number, number]): [number, number] => [x[0] + y[0], Math.max(x[1], y[1])] }).uid('sliding');
  // WindowOperator with the merging window set and list state.
  const sessions = keyed().window(EventTimeSessionWindows.withGap(500)).process(new SessionCount()).uid('sessions');
  tumbling.union(sliding, sessions).map((s: string) => { Seen.out.push(s); return s; }).uid('seen-output').sinkTo(new DiscardingSink<string>()).uid('sink');
  return env.executeAsync('windows-rescaling');
}

/** The windows of the whole input, computed directly. */
function expected(): string[] {
  const out: string[] = [];
  const tumbling = new Map<string, number>();
  const sliding = new Map<string, number>();
  const byKey = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const k = i % KEYS;
    const t = ts(i);
    const tw = `${k}@${Math.floor(t / 500)}`;
    tumbling.set(tw, (tumbling.get(tw) ?? 0) + i);
    for (let s = Math.floor(t / 250) * 250; s > t - 1000; s -= 250) sliding.set(`${k}@${s}`, (sliding.get(`${k}@${s}`) ?? 0) + 1);
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k)!.push(t);
  }
  for (const s of tumbling.values()) out.push(`tumbling ${s}`);
  for (const [w, n] of sliding) out.push(`sliding ${w.split('@')[0]} ${n}`);
  for (const [k, times] of byKey) {
    let start = times[0]!;
    let end = start + 500;
    let n = 0;
    for (const t of times) {
      if (t >= end) { out.push(`session ${k} [${start},${end}) ${n}`); start = t; n = 0; }
      end = t + 500;
      n++;
    }
    out.push(`session ${k} [${start},${end}) ${n}`);
  }
  return out.sort();
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
      expect([...first, ...Seen.out].sort()).toEqual(expected());
    }, 60_000);
  }
});
