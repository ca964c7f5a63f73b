import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../testing/waitFor.js';
import { EtlScheduler, type LaunchedJobState, type RunLauncher, type RunSubmission } from './EtlScheduler.js';
import { RunHistoryStore } from './RunHistoryStore.js';
import { validateScheduleSpec } from './ScheduleSpec.js';
import { parseJobParameters } from '../configuration/PipelineOptions.js';

const at = (s: string): number => Date.parse(s);
const HOUR = 3_600_000;

/** Unit fake of the cluster: jobs stay RUNNING until the test ends them. */
class FakeLauncher implements RunLauncher {
  readonly submitted: RunSubmission[] = [];
  readonly jobs = new Map<string, LaunchedJobState>();
  readonly cancelled: string[] = [];
  failSubmit = false;
  async submit(run: RunSubmission): Promise<void> {
    if (this.failSubmit) throw new Error('main threw: no such input');
    if (this.jobs.has(run.jobId)) throw new Error(`DuplicateJobSubmissionException: job ${run.jobId}`);
    this.submitted.push(run);
    this.jobs.set(run.jobId, { state: 'RUNNING' });
  }
  jobState(jobId: string): LaunchedJobState { return this.jobs.get(jobId) ?? { state: 'UNKNOWN' }; }
  async cancel(jobId: string): Promise<void> { this.cancelled.push(jobId); this.jobs.set(jobId, { state: 'CANCELED' }); }
  end(run: RunSubmission | undefined, state: LaunchedJobState['state'], error?: string): void {
    this.jobs.set(run!.jobId, { state, ...(error ? { error } : {}), accumulators: { numRecordsRejected: 3 } });
  }
  last(): RunSubmission { return this.submitted[this.submitted.length - 1]!; }
}

let dir: string;
let now: number;
let launcher: FakeLauncher;
let existing: Set<string>;
const clock = { now: () => now };
const code = new TextEncoder().encode('export default async function main() {}');

function scheduler(): EtlScheduler {
  return new EtlScheduler({
    store: new RunHistoryStore(join(dir, 'history')), launcher, clock, random: () => 0.5,
    probe: { exists: async (p) => existing.has(p) }, waitPollInterval: 1000, maxCatchupRuns: 100,
  });
}
const spec = (extra: Record<string, unknown> = {}) => validateScheduleSpec({ name: 'etl', job: '/jobs/etl.ts', cron: '0 * * * *', args: ['--out', '/out/dt={{ds}}/hr={{interval_start}}', '{{run_id}}', '{{attempt}}'], ...extra }, 'test');

async function advance(s: EtlScheduler, to: number, step = 60_000): Promise<void> {
  while (now < to) { now = Math.min(to, now + step); await s.tick(); }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-sched-'));
  now = at('2026-03-01T10:30:00Z');
  launcher = new FakeLauncher();
  existing = new Set();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('EtlScheduler', () => {
  it('runs each hourly interval once, after it ends, with its parameters', async () => {
    const s = scheduler();
    await s.upsert(spec({ config: { 'pipeline.global-job-parameters': 'region:eu,day:{{ds_nodash}}' } }), { code, runtime: 'file:///rt.js' });
    await advance(s, at('2026-03-01T10:59:00Z'));
    expect(launcher.submitted).toHaveLength(0);
    for (let h = 11; h <= 13; h++) {
      await advance(s, at(`2026-03-01T${h}:00:00Z`));
      launcher.end(launcher.last(), 'SUCCEEDED');
      await s.tick();
    }
    expect(launcher.submitted.map((r) => r.args)).toEqual([
      ['--out', '/out/dt=2026-03-01/hr=2026-03-01T10:00:00Z', 'scheduled__20260301T100000Z', '1'],
      ['--out', '/out/dt=2026-03-01/hr=2026-03-01T11:00:00Z', 'scheduled__20260301T110000Z', '1'],
      ['--out', '/out/dt=2026-03-01/hr=2026-03-01T12:00:00Z', 'scheduled__20260301T120000Z', '1'],
    ]);
    expect(launcher.submitted.every((r) => r.config['execution.runtime-mode'] === 'BATCH')).toBe(true);
    // The same parameters for getRuntimeContext().getJobParameter, after the job's own global parameters.
    expect(parseJobParameters(launcher.submitted[0]!.config['pipeline.global-job-parameters'])).toEqual({
      region: 'eu', day: '20260301', ds: '2026-03-01', ds_nodash: '20260301', interval_start: '2026-03-01T10:00:00Z', interval_end: '2026-03-01T11:00:00Z',
      run_id: 'scheduled__20260301T100000Z', attempt: '1', schedule: 'etl',
    });
    expect(s.runs('etl').map((r) => [r.runId, r.state, r.recordsRejected])).toEqual([
      ['scheduled__20260301T100000Z', 'SUCCEEDED', 3], ['scheduled__20260301T110000Z', 'SUCCEEDED', 3], ['scheduled__20260301T120000Z', 'SUCCEEDED', 3]]);
    expect(s.status('etl')).toMatchObject({ nextFireTime: '2026-03-01T14:00:00Z', lastRun: { runId: 'scheduled__20260301T120000Z', state: 'SUCCEEDED' } });
    expect(s.metrics.runsTotal.get('etl')?.get('SUCCEEDED')).toBe(3);
  });

  it('retries a failed attempt after exponential backoff, then succeeds; out of retries it FAILS', async () => {
    const s = scheduler();
    await s.upsert(spec({ retries: { attempts: 2, initialBackoff: '10 min', multiplier: 2, maxBackoff: '1 h', jitter: 0.2 } }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T11:00:00Z'));
    launcher.end(launcher.last(), 'FAILED', 'boom');
    await s.tick();
    const r = s.runs('etl')[0]!;
    expect(r).toMatchObject({ state: 'QUEUED', attempt: 1, retryAt: at('2026-03-01T11:10:00Z') });
    await advance(s, at('2026-03-01T11:09:00Z'));
    expect(launcher.submitted).toHaveLength(1);
    await advance(s, at('2026-03-01T11:10:00Z'));
    expect(launcher.last().args.at(-1)).toBe('2');
    launcher.end(launcher.last(), 'FAILED', 'boom again');
    await s.tick();
    expect(s.runs('etl')[0]!.retryAt).toBe(at('2026-03-01T11:30:00Z')); // 10 min × 2
    await advance(s, at('2026-03-01T11:30:00Z'));
    launcher.end(launcher.last(), 'FAILED', 'third');
    await s.tick();
    expect(s.runs('etl')[0]).toMatchObject({ state: 'FAILED', attempt: 3, error: expect.stringContaining('third') });
    expect(s.runs('etl')[0]!.attempts.map((a) => a.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
  });

  it('Forbid skips an interval whose run would overlap a running one; Allow runs both; Replace cancels the older', async () => {
    const s = scheduler();
    await s.upsert(spec(), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T12:00:00Z'));
    expect(s.runs('etl').map((r) => r.state)).toEqual(['RUNNING', 'SKIPPED']);
    expect(s.runs('etl')[1]!.error).toMatch(/scheduled__20260301T100000Z was still running \(concurrencyPolicy Forbid\)/);
    // Found late (the scheduler was down at 13:00): queued behind the running run, not skipped.
    now = at('2026-03-01T13:05:00Z');
    await s.tick();
    expect(s.runs('etl').map((r) => r.state)).toEqual(['RUNNING', 'SKIPPED', 'QUEUED']);
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    expect(s.runs('etl').map((r) => r.state)).toEqual(['SUCCEEDED', 'SKIPPED', 'RUNNING']);
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();

    await s.upsert(spec({ concurrencyPolicy: 'Allow', maxActiveRuns: 2 }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T14:00:00Z'));
    await advance(s, at('2026-03-01T15:00:00Z'));
    expect(s.runs('etl').map((r) => r.state)).toEqual(['SUCCEEDED', 'SKIPPED', 'SUCCEEDED', 'RUNNING', 'RUNNING']);

    await s.upsert(spec({ concurrencyPolicy: 'Replace' }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T16:00:00Z'));
    expect(s.runs('etl').map((r) => r.state)).toEqual(['SUCCEEDED', 'SKIPPED', 'SUCCEEDED', 'FAILED', 'FAILED', 'RUNNING']);
    expect(launcher.cancelled).toHaveLength(2);
    expect(s.runs('etl')[3]!.error).toMatch(/replaced by run scheduled__20260301T150000Z/);
  });

  it('startingDeadline skips runs due while the scheduler was down (catchup all), counted as SKIPPED', async () => {
    let s = scheduler();
    await s.upsert(spec({ catchup: 'all', startingDeadline: '90 min' }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T11:00:00Z'));
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    await s.stop();
    now = at('2026-03-01T15:10:00Z'); // down from 11:00 to 15:10: intervals 11, 12, 13, 14 are due
    s = scheduler();
    await s.load();
    await s.tick();
    expect(s.runs('etl').map((r) => [r.runId.slice(-7), r.state])).toEqual([
      ['100000Z', 'SUCCEEDED'], ['110000Z', 'SKIPPED'], ['120000Z', 'SKIPPED'], ['130000Z', 'RUNNING'], ['140000Z', 'QUEUED']]);
    expect(s.metrics.runsTotal.get('etl')?.get('SKIPPED')).toBe(2);
  });

  it('a restart reconciles runs found RUNNING: a job still known continues, a lost one is resubmitted; no interval twice', async () => {
    let s = scheduler();
    await s.upsert(spec({ catchup: 'all', concurrencyPolicy: 'Allow' }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T12:00:00Z'));
    expect(launcher.submitted).toHaveLength(2);
    await s.stop();
    const [kept, lost] = launcher.submitted;
    launcher.jobs.delete(lost!.jobId); // the cluster lost this job with the old JobManager
    s = scheduler();
    await s.load();
    await s.tick();
    await s.tick();
    expect(launcher.submitted.map((r) => r.args[2])).toEqual(['scheduled__20260301T100000Z', 'scheduled__20260301T110000Z', 'scheduled__20260301T110000Z']);
    expect(launcher.last().args[3]).toBe('2');
    launcher.end(kept, 'SUCCEEDED');
    launcher.end(launcher.last(), 'SUCCEEDED');
    await advance(s, at('2026-03-01T12:30:00Z'));
    expect(s.runs('etl').map((r) => [r.state, r.attempt])).toEqual([['SUCCEEDED', 1], ['SUCCEEDED', 2]]);
    expect(s.runs('etl')[1]!.attempts[0]!.error).toMatch(/not known to the cluster/);
    expect(launcher.submitted).toHaveLength(3);
    const lastSuccess = s.metrics.lastSuccessTimestamp.get('etl');
    expect(lastSuccess).toBe(Math.max(...s.runs('etl').map((r) => r.endedAt!)));
    await s.stop();
    s = scheduler();
    await s.load(); // last_success_timestamp is read back from the history, not lost with the JobManager
    expect(s.metrics.lastSuccessTimestamp.get('etl')).toBe(lastSuccess);
    expect(s.status('etl').lastSuccessTime).toBe(new Date(lastSuccess!).toISOString());
  });

  it('a timed-out attempt is cancelled and the run is TIMED_OUT; a failed submission is retried', async () => {
    const s = scheduler();
    await s.upsert(spec({ timeout: '20 min' }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T11:21:00Z'));
    expect(s.runs('etl')[0]).toMatchObject({ state: 'TIMED_OUT' });
    expect(launcher.cancelled).toEqual([launcher.submitted[0]!.jobId]);
    await s.upsert(spec({ retries: { attempts: 1, initialBackoff: '1 min' } }), { code, runtime: 'x' });
    launcher.failSubmit = true;
    await advance(s, at('2026-03-01T12:00:00Z'));
    expect(s.runs('etl')[1]).toMatchObject({ state: 'QUEUED', attempt: 1, error: expect.stringContaining('could not be submitted: main threw') });
    launcher.failSubmit = false;
    await advance(s, at('2026-03-01T12:02:00Z'));
    expect(s.runs('etl')[1]).toMatchObject({ state: 'RUNNING', attempt: 2 });
  });

  it('waits for its input (WAITING → QUEUED → RUNNING) and times out if it never comes', async () => {
    const s = scheduler();
    await s.upsert(spec({ waitFor: ['/in/dt={{ds}}/h={{interval_start}}/_SUCCESS'], waitTimeout: '2 h' }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T11:30:00Z'));
    expect(s.runs('etl')[0]!.state).toBe('WAITING');
    existing.add('/in/dt=2026-03-01/h=2026-03-01T10:00:00Z/_SUCCESS');
    await advance(s, at('2026-03-01T11:32:00Z'));
    expect(s.runs('etl').map((r) => r.state)).toEqual(['RUNNING']);
    launcher.end(launcher.submitted[0], 'SUCCEEDED');
    await advance(s, at('2026-03-01T12:01:00Z'));
    expect(s.runs('etl').map((r) => r.state)).toEqual(['SUCCEEDED', 'WAITING']);
    await advance(s, at('2026-03-01T14:01:00Z'));
    expect(s.runs('etl')[1]).toMatchObject({ state: 'TIMED_OUT', error: expect.stringContaining('missing /in/dt=2026-03-01/h=2026-03-01T11:00:00Z/_SUCCESS') });
  });

  it('backfill queues 5 past days oldest first (or backwards), skips done intervals unless reprocessed; rerun re-queues one run', async () => {
    now = at('2026-03-10T12:00:00Z');
    const s = scheduler();
    await s.upsert(spec({ cron: '0 0 * * *', start: '2026-03-10' }), { code, runtime: 'x' });
    const created = await s.backfill('etl', '2026-03-01', '2026-03-05');
    expect(created.map((r) => r.runId)).toEqual(['20260301', '20260302', '20260303', '20260304', '20260305'].map((d) => `scheduled__${d}T000000Z`));
    for (let i = 0; i < 5; i++) {
      await s.tick();
      expect(launcher.last().args[1]).toBe(`/out/dt=2026-03-0${i + 1}/hr=2026-03-0${i + 1}T00:00:00Z`);
      launcher.end(launcher.last(), i === 2 ? 'FAILED' : 'SUCCEEDED');
      await s.tick();
    }
    expect(s.runs('etl').map((r) => r.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await s.backfill('etl', '2026-03-01', '2026-03-05')).toEqual([]);
    expect((await s.backfill('etl', '2026-03-01', '2026-03-05', 'failed')).map((r) => r.runId)).toEqual(['scheduled__20260303T000000Z']);
    await s.tick();
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    expect((await s.backfill('etl', '2026-03-01', '2026-03-03', 'all', true)).map((r) => r.runId.slice(11, 19))).toEqual(['20260303', '20260302', '20260301']);
    await s.tick();
    expect(launcher.last().args[2]).toBe('scheduled__20260303T000000Z');
    await expect(s.backfill('etl', '2026-03-05', '2026-03-01')).rejects.toThrow(/--to \(2026-03-01\) is before --from/);
    await expect(s.rerun('etl', 'scheduled__20260303T000000Z')).rejects.toThrow(/only a finished run can be rerun/);
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    await expect(s.rerun('etl', 'nope')).rejects.toThrow(/has no run 'nope'; list them with 'tsflink schedule runs etl'/);
  });

  it('pause stops new runs; on resume catchup none runs only the latest interval; trigger runs now; history is trimmed', async () => {
    const s = scheduler();
    await s.upsert(spec({ history: { successful: 2, failed: 1 } }), { code, runtime: 'x' });
    await s.setPaused('etl', true);
    await advance(s, at('2026-03-01T14:30:00Z'));
    expect(launcher.submitted).toHaveLength(0);
    await s.setPaused('etl', false);
    await s.tick();
    expect(s.runs('etl').map((r) => r.runId)).toEqual(['scheduled__20260301T130000Z']);
    expect(s.status('etl').missedIntervals).toBe(3);
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    const manual = await s.trigger('etl');
    expect(manual.runId).toBe('manual__20260301T143000Z');
    await s.tick();
    launcher.end(launcher.last(), 'SUCCEEDED');
    await advance(s, at('2026-03-01T16:00:00Z'));
    launcher.end(launcher.last(), 'SUCCEEDED');
    await s.tick();
    expect(s.runs('etl').filter((r) => r.state === 'SUCCEEDED')).toHaveLength(2);
    // The store holds what memory holds: a new scheduler loads exactly the kept runs.
    const again = scheduler();
    await again.load();
    expect(again.runs('etl').map((r) => r.runId)).toEqual(s.runs('etl').map((r) => r.runId));
    await expect(async () => s.status('nope')).rejects.toThrow(/No schedule 'nope'; schedules: etl/);
  });

  it('output: the job writes {{output}}, a success commits it as dt=<ds> with _SUCCESS, a rerun replaces it, a failure leaves it untouched', async () => {
    const table = join(dir, 'table');
    mkdirSync(table);
    const s = scheduler();
    await s.upsert(spec({ cron: '0 0 * * *', args: ['{{output}}', '{{attempt}}', '{{rejects}}'], output: { path: `${table}/dt={{ds}}` }, rejects: `${dir}/rejects/dt={{ds}}` }), { code, runtime: 'x' });
    const job = (ok: boolean): void => { // what a job would do: write part files into its staging dir, bad lines into rejects
      const [out, attempt, rejects] = launcher.last().args as [string, string, string];
      writeFileSync(join(out, `part-0-${attempt}`), `attempt ${attempt}\n`);
      mkdirSync(rejects, { recursive: true });
      writeFileSync(join(rejects, 'rejects-0.jsonl'), '{"line":3}\n'.repeat(Number(attempt)));
      writeFileSync(join(rejects, '.part-0.inprogress'), 'not counted\n');
      launcher.end(launcher.last(), ok ? 'SUCCEEDED' : 'FAILED', ok ? undefined : 'bad input');
    };
    await advance(s, at('2026-03-02T00:00:00Z'), HOUR);
    expect(launcher.last().args[0]).toBe(join(table, '.staging-dt=2026-03-01-scheduled__20260301T000000Z-1'));
    job(true);
    await s.tick();
    expect(readdirSync(table)).toEqual(['dt=2026-03-01']);
    expect(readdirSync(join(table, 'dt=2026-03-01')).sort()).toEqual(['_SUCCESS', 'part-0-1']);
    expect(s.runs('etl')[0]!.recordsRejected).toBe(1);
    await s.rerun('etl', 'scheduled__20260301T000000Z');
    await s.tick();
    job(false); // a failed rerun: the committed partition stays as it was, the staging output is dropped
    await s.tick();
    expect(s.runs('etl')[0]).toMatchObject({ state: 'FAILED', recordsRejected: 2 }); // a run failed by maxRejectedFraction says how many
    expect(readdirSync(table)).toEqual(['dt=2026-03-01']);
    expect(readdirSync(join(table, 'dt=2026-03-01')).sort()).toEqual(['_SUCCESS', 'part-0-1']);
    await s.rerun('etl', 'scheduled__20260301T000000Z');
    await s.tick();
    job(true);
    await s.tick();
    expect(readdirSync(table)).toEqual(['dt=2026-03-01']);
    expect(readdirSync(join(table, 'dt=2026-03-01')).sort()).toEqual(['_SUCCESS', 'part-0-3']);
    expect(readFileSync(join(table, 'dt=2026-03-01', 'part-0-3'), 'utf8')).toBe('attempt 3\n');
    expect(existsSync(join(table, 'dt=2026-03-01', 'part-0-1'))).toBe(false);
    expect(s.runs('etl')[0]!.recordsRejected).toBe(3); // the rejects of the attempt that succeeded
  });

  it('webhook: a failed run and an SLA miss are POSTed as events', async () => {
    const events: Array<{ url: string; event: Record<string, unknown> }> = [];
    const s = new EtlScheduler({
      store: new RunHistoryStore(join(dir, 'history')), launcher, clock, random: () => 0.5,
      probe: { exists: async () => true }, notify: async (url, event) => { events.push({ url, event }); },
    });
    await s.upsert(spec({ webhook: 'https://alerts.example/hook', sla: { maxDuration: '15 min' } }), { code, runtime: 'x' });
    await advance(s, at('2026-03-01T11:16:00Z'));
    launcher.end(launcher.last(), 'FAILED', 'disk full');
    await s.tick();
    expect(events.map((e) => [e.url, e.event['event'], e.event['runId']])).toEqual([
      ['https://alerts.example/hook', 'sla_miss', 'scheduled__20260301T100000Z'],
      ['https://alerts.example/hook', 'run_failed', 'scheduled__20260301T100000Z'],
    ]);
    expect(events[1]!.event).toMatchObject({ state: 'FAILED', attempt: 1, error: expect.stringContaining('disk full'), intervalStart: '2026-03-01T10:00:00.000Z' });
    // shouldStart: a run still waiting for its input 10 min after its interval ended misses its SLA.
    events.length = 0;
    const waiting = new EtlScheduler({
      store: new RunHistoryStore(join(dir, 'history2')), launcher, clock, probe: { exists: async () => false }, notify: async (url, event) => { events.push({ url, event }); },
    });
    await waiting.upsert(spec({ webhook: 'https://alerts.example/hook', sla: { shouldStart: '10 min' }, waitFor: ['/never'] }), { code, runtime: 'x' });
    await advance(waiting, at('2026-03-01T12:09:00Z'));
    expect(events.map((e) => e.event['event'])).toEqual([]);
    await advance(waiting, at('2026-03-01T12:11:00Z'));
    expect(events.map((e) => [e.event['event'], e.event['runId'], e.event['state']])).toEqual([['sla_miss', 'scheduled__20260301T110000Z', 'WAITING']]);
  });

  it('webhook delivery: the default sender POSTs the event as JSON to a real HTTP endpoint; a failing endpoint is logged, the run unaffected', async () => {
    const got: Array<{ method: string; type: string; body: Record<string, unknown> }> = [];
    let status = 204;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      req.on('end', () => { got.push({ method: req.method!, type: req.headers['content-type'] ?? '', body: JSON.parse(text) as Record<string, unknown> }); res.writeHead(status).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.2', r));
    try {
      const logs: string[] = [];
      const s = new EtlScheduler({ store: new RunHistoryStore(join(dir, 'history')), launcher, clock, random: () => 0.5, probe: { exists: async () => true }, log: (_l, m) => logs.push(m) });
      const url = `http://127.0.0.2:${(server.address() as AddressInfo).port}/hook`;
      await s.upsert(spec({ webhook: url }), { code, runtime: 'x' });
      await advance(s, at('2026-03-01T11:00:00Z'));
      launcher.end(launcher.last(), 'FAILED', 'disk full');
      await s.tick();
      await waitFor('the POST', async () => got.length === 1, 10_000, 20);
      expect(got[0]).toMatchObject({ method: 'POST', type: 'application/json', body: { event: 'run_failed', schedule: 'etl', runId: 'scheduled__20260301T100000Z', state: 'FAILED' } });
      status = 500;
      await advance(s, at('2026-03-01T12:00:00Z'));
      launcher.end(launcher.last(), 'FAILED', 'disk full again');
      await s.tick();
      await waitFor('the failed delivery logged', async () => logs.some((m) => m.includes(`webhook ${url} for run_failed of scheduled__20260301T110000Z failed: HTTP 500`)), 10_000, 20);
      expect(s.runs('etl').map((r) => r.state)).toEqual(['FAILED', 'FAILED']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('across DST changes in two time zones, a daily run is created once per day, after its interval, with the local date', async () => {
    for (const [tz, cron, from, to, expected] of [
      // Berlin spring-forward (2026-03-29): 02:30 does not exist and fires at 03:30 CEST.
      ['Europe/Berlin', '30 2 * * *', '2026-03-27T00:00:00Z', '2026-03-31T03:00:00Z',
        [['2026-03-27', '2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z'], ['2026-03-28', '2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z'], ['2026-03-29', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
          ['2026-03-30', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']]],
      // New York fall-back (2026-11-01): 01:30 happens twice and fires at its first occurrence.
      ['America/New_York', '30 1 * * *', '2026-10-30T12:00:00Z', '2026-11-03T07:00:00Z',
        [['2026-10-30', '2026-10-30T05:30:00.000Z', '2026-10-31T05:30:00.000Z'], ['2026-10-31', '2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z'],
          ['2026-11-01', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'], ['2026-11-02', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']]],
    ] as const) {
      rmSync(join(dir, 'history'), { recursive: true, force: true });
      launcher = new FakeLauncher();
      now = at(from);
      const s = scheduler();
      await s.upsert(spec({ name: 'dst', cron, timezone: tz, start: from.slice(0, 10), catchup: 'all', concurrencyPolicy: 'Allow', args: ['{{ds}}', '{{interval_start}}'] }), { code, runtime: 'x' });
      const seen: string[] = [];
      while (now < at(to)) {
        now += 15 * 60_000;
        await s.tick();
        for (const r of launcher.submitted.slice(seen.length)) {
          const run = s.runs('dst').find((x) => x.jobId === r.jobId)!;
          expect(now).toBeGreaterThanOrEqual(run.intervalEnd); // started only after its interval ended
          expect(now - run.intervalEnd).toBeLessThanOrEqual(15 * 60_000);
          seen.push(r.args[0]!);
          launcher.end(r, 'SUCCEEDED');
        }
      }
      const runs = s.runs('dst');
      expect(runs).toHaveLength(expected.length);
      expect(runs.map((r) => [launcher.submitted.find((x) => x.jobId === r.jobId)!.args[0], new Date(r.intervalStart).toISOString(), new Date(r.intervalEnd).toISOString()])).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length); // one run per local day
    }
  });
});
