import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterProcesses, freePort } from '../testing/ClusterProcesses.js';
import { waitFor } from '../testing/waitFor.js';

// Scheduled BATCH runs on a standalone session cluster as real processes: JobManager on 127.0.0.2
// (schedules service inside), one TaskManager on 127.0.0.3; schedules declared with the CLI, read
// back over REST; outputs committed as partitions on local disk. The JobManager is killed with
// SIGKILL between runs and started again on the same ports.
const root = resolve(import.meta.dirname, '../..');
const job = join(root, 'runtime/schedule/fixtures/partition-job.ts');
let work: string;
let data: string;
let cluster: ClusterProcesses;
let jmArgs: string[];

interface Run { runId: string; intervalStart: string; intervalEnd: string; state: string; attempt: number; jobId: string | null; error?: string | null; attempts?: Array<{ state: string; error?: string }> }
const runs = async (name: string): Promise<Run[]> => (await cluster.get<{ runs: Run[] }>(`/schedules/${name}/runs?details=true`)).runs;
const cli = async (args: string[]): Promise<{ code: number | null; out: string; err: string }> => {
  const p = cluster.cli([...args, '-m', cluster.restAddress]);
  const code = await p.exited;
  return { code: typeof code === 'number' ? code : null, out: p.stdout(), err: p.stderr() };
};
async function create(name: string, yaml: string): Promise<void> {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\njob: ${job}\n${yaml}`);
  const r = await cli(['schedule', 'create', file]);
  expect(r.err).toBe('');
  expect(r.out).toMatch(new RegExp(`Schedule '${name}' created\\. Next run: `));
}
/** Partition dir → its files, for the committed (visible) partitions of a table. */
function partitions(table: string): Map<string, string[]> {
  if (!existsSync(table)) return new Map();
  return new Map(readdirSync(table).filter((d) => !d.startsWith('.')).map((d) => [d, readdirSync(join(table, d)).sort()]));
}
function lines(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('part-')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}
const expectedLines = (label: string): string[] => Array.from({ length: 100 }, (_, i) => `${label},${i + 1}`).sort();
const partitionOf = (r: Run): string => `dt=${r.intervalStart.replace(/\.000Z$/, 'Z')}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-schedules-'));
  data = join(work, 'data');
  mkdirSync(data);
  cluster = new ClusterProcesses(work, '127.0.0.2');
  const prom = await freePort('127.0.0.2');
  jmArgs = ['-D', 'scheduler.tick-interval=100 ms', '-D', 'scheduler.wait-poll-interval=200 ms', '-D', 'restart-strategy.type=none',
    '-D', 'metrics.reporter.prom.factory.class=prometheus', '-D', `metrics.reporter.prom.port=${prom}-${prom + 5}`];
  await cluster.startJobManager(jmArgs);
  cluster.startTaskManager('127.0.0.3', 4);
  await cluster.waitForTaskManagers(1);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('schedules on a standalone session cluster', () => {
  it('a seconds schedule runs a BATCH job per interval, each committing its own dt= partition with _SUCCESS; the failing first attempt is retried; a JobManager killed between runs loses no interval and runs none twice', async () => {
    const table = join(data, 'every3s');
    const marker = join(work, 'fail-once');
    writeFileSync(marker, '');
    await create('every3s', [
      // Allow: after the restart, catch-up runs and the resubmitted lost run may overlap (Forbid would skip by design).
      'cron: "*/3 * * * * *"', 'catchup: all', 'concurrencyPolicy: Allow', 'maxActiveRuns: 2',
      `args: ["{{output}}", "{{interval_start}}", "${marker}", "0"]`,
      `output: { path: "${table}/dt={{interval_start}}" }`,
      'retries: { attempts: 2, initialBackoff: 500 ms }', '',
    ].join('\n'));
    await waitFor('3 succeeded runs', async () => (await runs('every3s')).filter((r) => r.state === 'SUCCEEDED').length >= 3, 60_000, 200);
    const before = await runs('every3s');
    expect(before[0]!.attempt).toBe(2);
    expect(before[0]!.attempts!.map((a) => a.state)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(before[0]!.attempts![0]!.error).toMatch(/planned failure of this attempt/);
    for (const r of before.filter((x) => x.state === 'SUCCEEDED')) {
      const dir = join(table, partitionOf(r));
      expect(readdirSync(dir)).toContain('_SUCCESS');
      expect(lines(dir)).toEqual(expectedLines(r.intervalStart.replace(/\.000Z$/, 'Z')));
    }

    // kill -9 of the JobManager between two runs, down for more than one interval, started again.
    await waitFor('no run in flight', async () => (await runs('every3s')).every((r) => r.state === 'SUCCEEDED'), 30_000, 50);
    const pid = cluster.jobManager.child.pid!;
    process.kill(pid, 'SIGKILL');
    await cluster.jobManager.exited;
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 7_000));
    await cluster.startJobManager(jmArgs, true);
    await cluster.waitForTaskManagers(1);
    await waitFor('runs after the restart', async () => (await runs('every3s')).filter((r) => r.state === 'SUCCEEDED' && Date.parse(r.intervalStart) > killedAt + 6_000).length >= 1, 60_000, 200);
    expect((await cli(['schedule', 'pause', 'every3s'])).out).toBe("Schedule 'every3s' paused.\n");
    // Paused: nothing new starts; what was queued stays QUEUED, the rest has SUCCEEDED.
    await waitFor('no run in flight', async () => (await runs('every3s')).every((r) => r.state === 'SUCCEEDED' || r.state === 'QUEUED'), 60_000, 100)
      .catch(async (e: unknown) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(await runs('every3s'), null, 1)}\n${cluster.dumpLogs()}`); });
    const all = await runs('every3s');
    const after = all.filter((r) => r.state === 'SUCCEEDED');
    expect(all.slice(0, after.length)).toEqual(after); // queued ones only after the succeeded ones
    const starts = after.map((r) => Date.parse(r.intervalStart));
    // Every interval from the first on, once: contiguous 3 s steps, none missing (catchup all), none twice.
    expect(new Set(after.map((r) => r.runId)).size).toBe(after.length);
    for (let i = 1; i < after.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBe(3_000);
      expect(after[i]!.intervalStart).toBe(after[i - 1]!.intervalEnd);
    }
    expect(starts.some((t) => t > killedAt && t < killedAt + 6_000)).toBe(true); // intervals due while it was down
    expect(after.length).toBeGreaterThan(before.length + 2);
    const parts = partitions(table);
    expect([...parts.keys()].sort()).toEqual(after.map(partitionOf).sort());
    for (const r of after) expect(lines(join(table, partitionOf(r)))).toEqual(expectedLines(r.intervalStart.replace(/\.000Z$/, 'Z')));
    for (const files of parts.values()) expect(files).toContain('_SUCCESS');
    expect(readdirSync(table).filter((d) => d.startsWith('.'))).toEqual([]); // no staging left
    const list = await cli(['schedule', 'list']);
    expect(list.out).toMatch(/^every3s\s+\*\/3 \* \* \* \* \*\s+UTC\s+paused/m);
  }, 240_000);

  it('Forbid skips an interval whose run would overlap the running one', async () => {
    const table = join(data, 'slow');
    await create('slow', [
      'cron: "*/2 * * * * *"', 'concurrencyPolicy: Forbid',
      `args: ["{{output}}", "{{run_id}}", "${join(work, 'no-marker')}", "3000"]`,
      `output: { path: "${table}/dt={{interval_start}}" }`, '',
    ].join('\n'));
    await waitFor('a skipped and two succeeded runs', async () => {
      const rs = await runs('slow');
      return rs.some((r) => r.state === 'SKIPPED') && rs.filter((r) => r.state === 'SUCCEEDED').length >= 2;
    }, 60_000, 200);
    expect((await cli(['schedule', 'pause', 'slow'])).code).toBe(0);
    const rs = await runs('slow');
    expect(rs.find((r) => r.state === 'SKIPPED')!.error).toMatch(/was still running \(concurrencyPolicy Forbid\)/);
    const done = rs.filter((r) => r.state === 'SUCCEEDED');
    expect([...partitions(table).keys()]).toEqual(expect.arrayContaining(done.map(partitionOf)));
    const skipped = rs.filter((r) => r.state === 'SKIPPED').map(partitionOf);
    for (const s of skipped) expect(partitions(table).has(s)).toBe(false);
  });

  it('backfill of 5 past days writes 5 partitions; `schedule runs --json` lists them as API.md says', async () => {
    const table = join(data, 'daily');
    await create('daily', [
      'cron: "0 0 * * *"', 'timezone: Europe/Berlin', 'start: 2099-01-01',
      // The label is read in the TaskManager from getRuntimeContext().getJobParameter('ds').
      `args: ["{{output}}", "@param:ds", "${join(work, 'no-marker')}", "0"]`,
      `output: { path: "${table}/dt={{ds}}" }`, '',
    ].join('\n'));
    const r = await cli(['schedule', 'backfill', 'daily', '--from', '2026-11-01', '--to', '2026-11-05']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/Backfill of 'daily': 5 run\(s\) queued/);
    await waitFor('5 backfilled runs', async () => (await runs('daily')).filter((x) => x.state === 'SUCCEEDED').length === 5, 90_000, 200);
    const parts = partitions(table);
    expect([...parts.keys()].sort()).toEqual(['dt=2026-11-01', 'dt=2026-11-02', 'dt=2026-11-03', 'dt=2026-11-04', 'dt=2026-11-05']);
    for (const [d, files] of parts) {
      expect(files).toContain('_SUCCESS');
      expect(lines(join(table, d))).toEqual(expectedLines(d.slice(3)));
    }
    const json = await cli(['schedule', 'runs', 'daily', '--json']);
    const listed = JSON.parse(json.out) as Run[];
    expect(listed.map((x) => Object.keys(x))).toEqual(Array(5).fill(['runId', 'intervalStart', 'intervalEnd', 'state', 'attempt', 'jobId']));
    // Midnight in Berlin (CET, +01:00) is 23:00 UTC the day before.
    expect(listed[0]).toMatchObject({ runId: 'scheduled__20261031T230000Z', intervalStart: '2026-10-31T23:00:00.000Z', intervalEnd: '2026-11-01T23:00:00.000Z', state: 'SUCCEEDED', attempt: 1 });
    const tableOut = (await cli(['schedule', 'runs', 'daily'])).out;
    expect(tableOut).toMatch(/^RUN ID\s+INTERVAL START\s+INTERVAL END\s+STATE\s+ATTEMPT\s+JOB ID\s+REJECTED\s+ERROR$/m);
    expect(tableOut).toMatch(/^scheduled__20261031T230000Z\s+2026-10-31T23:00:00\.000Z\s+2026-11-01T23:00:00\.000Z\s+SUCCEEDED\s+1\s+[0-9a-f]{32}\s+-/m);
    // A rerun replaces the partition (INSERT OVERWRITE), one partition per day still.
    const rerun = await cli(['schedule', 'rerun', 'daily', 'scheduled__20261031T230000Z']);
    expect(rerun.out).toMatch(/QUEUED again/);
    await waitFor('the rerun', async () => (await runs('daily'))[0]!.state === 'SUCCEEDED' && (await runs('daily'))[0]!.attempt === 2, 60_000, 200);
    expect(partitions(table).size).toBe(5);
    expect(lines(join(table, 'dt=2026-11-01'))).toEqual(expectedLines('2026-11-01'));
    const token = readFileSync(join(work, 'rest-token'), 'utf8').trim();
    const metrics = await (await fetch(`http://${cluster.restAddress}/schedules/-/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(metrics).toMatch(/^tsflink_schedule_runs_total\{schedule="daily",state="SUCCEEDED"\} 6$/m); // 5 backfilled + the rerun
    expect(metrics).toMatch(/^tsflink_schedule_last_success_timestamp_seconds\{schedule="daily"\} \d+(\.\d+)?$/m);
    // The same through the JobManager's metric reporter (Prometheus, Flink's naming).
    const port = /Metric reporter 'prom' \(Prometheus\) serving http:\/\/127\.0\.0\.2:(\d+)\/metrics/.exec(cluster.jobManager.stdout())?.[1];
    expect(port, cluster.jobManager.stdout()).toBeDefined();
    const reported = await (await fetch(`http://127.0.0.2:${port}/metrics`)).text();
    const line = reported.split('\n').find((l) => l.startsWith('flink_jobmanager_schedule_state_runsTotal{') && l.includes('schedule="daily"') && l.includes('state="SUCCEEDED"'));
    expect(line, reported.split('\n').filter((l) => l.includes('schedule')).join('\n')).toMatch(/ 6(\.0)?$/);
    const post = async (body: object): Promise<{ status: number; errors: string[] }> => {
      const res = await fetch(`http://${cluster.restAddress}/schedules`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, errors: ((await res.json()) as { errors: string[] }).errors };
    };
    expect(await post({ yaml: 'name: x\njob: /j.ts\ncron: "0 2 * *"\n', source: 'bad.yaml' })).toEqual({ status: 400, errors: [expect.stringMatching(/^bad\.yaml: 'cron': '0 2 \* \*' has 4 fields/)] });
    expect((await post({})).errors[0]).toMatch(/needs 'yaml' \(the schedule file's text\) or 'spec'/);
    const show = await cli(['schedule', 'show', 'daily']);
    expect(show.out).toMatch(/Cron:\s+0 0 \* \* \* in Europe\/Berlin; catchup none, concurrencyPolicy Forbid/);
    expect(show.out).toMatch(/Next run:\s+2099-01-02T00:00:00\+01:00/);
    expect(show.out).toMatch(/Runs:\s+SUCCEEDED 5; missed intervals 0/);
    // trigger: a manual run for the latest complete interval, now; delete removes schedule and history.
    const trig = await cli(['schedule', 'trigger', 'daily']);
    expect(trig.out).toMatch(/^Run manual__\d{8}T\d{6}Z of 'daily' QUEUED for \[/);
    await waitFor('the manual run', async () => (await runs('daily')).some((x) => x.runId.startsWith('manual__') && x.state === 'SUCCEEDED'), 60_000, 200);
    expect((await cli(['schedule', 'delete', 'daily'])).out).toBe("Schedule 'daily' deleted.\n");
    expect(existsSync(join(work, 'jobmanager', 'schedules', 'daily'))).toBe(false);
    const bad = await cli(['schedule', 'backfill', 'nope', '--from', '2026-11-01', '--to', '2026-11-05']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/No schedule 'nope'(; schedules: [a-z0-9, ]+)?\. Create it with 'tsflink schedule create <file\.yaml>'/);
    expect(bad.err).not.toContain('daily'); // deleted above
  });

  it('examples/scheduled-etl.ts as a schedule: a day with 4 bad lines (one file all bad) commits its exact sums and counts the rejects; a day above maxRejectedFraction FAILS, commits nothing and says how many were rejected', async () => {
    const input = join(data, 'orders');
    const table = join(data, 'revenue');
    const rejects = join(data, 'revenue-rejects');
    const expected = new Map<string, string[]>();
    for (const [day, bad] of [['2026-11-01', 1], ['2026-11-02', 40]] as const) {
      const sums = new Map<string, [number, number]>();
      const rows: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const o = { id: i, customer: `c-${i % 7}`, amount: (i % 30) + 0.25 };
        const t = sums.get(o.customer) ?? [0, 0];
        sums.set(o.customer, [t[0] + 1, t[1] + o.amount]);
        rows.push(JSON.stringify(o));
      }
      for (let b = 0; b < bad; b++) rows.splice(100 + b * 37, 0, `not json ${b}`);
      mkdirSync(join(input, `dt=${day}`), { recursive: true });
      // Two files, so the bad lines of a day fall in more than one split.
      writeFileSync(join(input, `dt=${day}`, 'part-0.jsonl'), `${rows.slice(0, 1000).join('\n')}\n`);
      writeFileSync(join(input, `dt=${day}`, 'part-1.jsonl'), `${rows.slice(1000).join('\n')}\n`);
      // Day 1 also has a file of nothing but bad lines: 100 % of its split, 0.2 % of the day's records.
      if (day === '2026-11-01') writeFileSync(join(input, `dt=${day}`, 'part-2.jsonl'), 'x\ny\nz\n');
      expected.set(day, [...sums].map(([c, [n, sum]]) => `${c},${n},${sum.toFixed(2)}`).sort());
    }
    const file = join(work, 'orders.yaml');
    writeFileSync(file, [
      'name: orders', `job: ${join(root, 'examples/scheduled-etl.ts')}`, 'cron: "0 0 * * *"', 'start: 2099-01-01',
      `args: ["${input}/dt={{ds}}", "{{output}}", "{{rejects}}"]`, 'config: { parallelism.default: 2 }',
      `output: { path: "${table}/dt={{ds}}" }`, `rejects: "${rejects}/dt={{ds}}"`, '',
    ].join('\n'));
    const c = await cli(['schedule', 'create', file]);
    expect(c.err).toBe('');
    expect((await cli(['schedule', 'backfill', 'orders', '--from', '2026-11-01', '--to', '2026-11-02'])).out).toMatch(/2 run\(s\) queued/);
    await waitFor('both runs to finish', async () => (await runs('orders')).filter((r) => r.state === 'SUCCEEDED' || r.state === 'FAILED').length === 2, 90_000, 200);
    const [ok, failed] = await runs('orders') as Array<Run & { recordsRejected: number | null }>;
    expect(ok).toMatchObject({ state: 'SUCCEEDED', recordsRejected: 4 });
    expect(lines(join(table, 'dt=2026-11-01'))).toEqual(expected.get('2026-11-01'));
    expect(readdirSync(join(table, 'dt=2026-11-01'))).toContain('_SUCCESS');
    // 40 of 2,040 (1.96 %) is above the example's 1 %.
    expect(failed).toMatchObject({ state: 'FAILED', recordsRejected: 40 });
    expect(failed!.error).toMatch(/40 of 2040 records read from .*dt=2026-11-02 could not be parsed by JsonLinesFormat \(1\.96 %\), more than maxRejectedFraction 0\.01; rejects in .*revenue-rejects\/dt=2026-11-02/);
    expect([...partitions(table).keys()]).toEqual(['dt=2026-11-01']);
    expect(readdirSync(table).filter((d) => d.startsWith('.'))).toEqual([]); // the failed attempt's staging is gone
    expect((await cli(['schedule', 'runs', 'orders'])).out).toMatch(/^scheduled__20261102T000000Z\s.*\sFAILED\s+1\s+[0-9a-f]{32}\s+40\s/m);
  });

  it('a run waits for its input _SUCCESS flag, created later by the test, then runs', async () => {
    const table = join(data, 'waits');
    const input = join(data, 'input');
    const first = Math.ceil((Date.now() + 4_000) / 3_000) * 3_000;
    await create('waits', [
      'cron: "*/3 * * * * *"', `start: ${new Date(first).toISOString()}`, `end: ${new Date(first + 1_000).toISOString()}`,
      `waitFor: ["${input}/dt={{interval_start}}/_SUCCESS"]`, 'waitTimeout: 2 min', 'waitPollInterval: 200 ms',
      `args: ["{{output}}", "{{interval_start}}", "${join(work, 'no-marker')}", "0"]`,
      `output: { path: "${table}/dt={{interval_start}}" }`, '',
    ].join('\n'));
    await waitFor('the run to wait', async () => (await runs('waits'))[0]?.state === 'WAITING', 30_000, 100);
    await new Promise((r) => setTimeout(r, 1_500));
    const [waiting] = await runs('waits');
    expect(waiting!.state).toBe('WAITING');
    expect(partitions(table).size).toBe(0);
    const flag = join(input, partitionOf(waiting!));
    mkdirSync(flag, { recursive: true });
    writeFileSync(join(flag, '_SUCCESS'), '');
    await waitFor('the run', async () => (await runs('waits'))[0]?.state === 'SUCCEEDED', 60_000, 100);
    expect([...partitions(table).keys()]).toEqual([partitionOf(waiting!)]);
    expect((await runs('waits')).length).toBe(1);
  });
});
