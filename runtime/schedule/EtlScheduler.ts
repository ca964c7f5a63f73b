// The schedules service of a session cluster's JobManager: materializes runs when their data
// interval ends, waits for their input, submits them as BATCH jobs through a RunLauncher, tracks
// their jobs, retries, times out, and keeps every run record in the RunHistoryStore. Driven by
// tick(): the timer calls it in the JobManager, unit tests call it with a manual clock.
import { createHash } from 'node:crypto';
import { CronSchedule } from './CronSchedule.js';
import { materialize, intervalsBetween, firstIntervalStart } from './RunMaterializer.js';
import { renderTemplate, runParameters, jobParametersOf, type RunParameters } from './RunTemplate.js';
import { retryDelay } from './RetryBackoff.js';
import { ScheduleSpecError, type ScheduleSpec } from './ScheduleSpec.js';
import { type ScheduleRun, type RunState, type RunKind, intervalRunId, manualRunId, attemptJobId, isTerminal, RUN_STATES } from './ScheduleRun.js';
import type { RunHistoryStore, StoredSchedule } from './RunHistoryStore.js';
import { zonedIso, parseInstant } from './ZonedTime.js';
import { PartitionCommitter, partitionPaths, type PartitionPaths } from './PartitionCommitter.js';
import { GLOBAL_JOB_PARAMETERS, formatJobParameters, parseJobParameters } from '../configuration/PipelineOptions.js';

export interface Clock { now(): number }
export const systemClock: Clock = { now: () => Date.now() };

/** What a run's job is doing, as the cluster knows it. UNKNOWN: no such job (e.g. the JobManager restarted). */
export interface LaunchedJobState {
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN';
  error?: string;
  /** Job accumulators at the end (numRecordsRejected is shown in the run summary). */
  accumulators?: Record<string, unknown>;
}

export interface RunSubmission {
  jobId: string;
  jobName: string;
  schedule: string;
  bundleCode: Uint8Array;
  bundleHash: string;
  bundleRuntime: string;
  jobFile: string;
  args: string[];
  /** Config keys of the run (templated), execution.runtime-mode=BATCH included. */
  config: Record<string, string>;
  parameters: RunParameters;
}

/** How runs reach the cluster: the Dispatcher in the JobManager (DispatcherRunLauncher), a fake in unit tests. */
export interface RunLauncher {
  /** Resolves once the job was accepted; rejects if it cannot be built or submitted. */
  submit(run: RunSubmission): Promise<void>;
  jobState(jobId: string): LaunchedJobState;
  cancel(jobId: string): Promise<void>;
}

/** Data-availability checks of `waitFor` paths. */
export interface PathProbe { exists(path: string): Promise<boolean> }

/** A job file turned into a bundle (handed in by the entry point: bundling is the client's job). */
export type JobBundlerFn = (jobFile: string) => Promise<{ code: Uint8Array; runtime: string }>;

export interface EtlSchedulerOptions {
  store: RunHistoryStore;
  launcher: RunLauncher;
  probe: PathProbe;
  clock?: Clock;
  random?: () => number;
  bundler?: JobBundlerFn;
  tickInterval?: number;
  waitPollInterval?: number;
  maxCatchupRuns?: number;
  maxBackfillRuns?: number;
  historySuccessfulLimit?: number;
  historyFailedLimit?: number;
  log?: (level: 'INFO' | 'WARN' | 'ERROR', message: string) => void;
  /** Commits `output` partitions (default: on the path's file system). */
  committer?: PartitionCommitter;
  /** Webhook delivery (default: fetch POST); tests replace it. */
  notify?: (url: string, event: Record<string, unknown>) => Promise<void>;
}

export type Reprocess = 'none' | 'failed' | 'all';

/** A schedule as the CLI, REST and UI show it. */
export interface ScheduleStatus {
  name: string;
  cron: string;
  timezone: string;
  job: string;
  paused: boolean;
  concurrencyPolicy: string;
  catchup: string;
  nextFireTime: string | null;
  activeRuns: number;
  missedIntervals: number;
  lastRun: { runId: string; state: RunState; intervalStart: string } | null;
  lastSuccessTime: string | null;
  runs: Record<RunState, number>;
}

interface Entry {
  stored: StoredSchedule;
  cron: CronSchedule;
  code: Uint8Array;
  runs: Map<string, ScheduleRun>;
  /** Next time a WAITING run's paths are checked, by run id. */
  nextProbe: Map<string, number>;
  /** Runs cancelled by the scheduler (timeout, Replace, delete): their CANCELED job state is expected. */
  cancelling: Set<string>;
  nextDueAt?: number;
}

export class ScheduleNotFoundError extends Error {
  constructor(name: string, known: string[]) {
    super(`No schedule '${name}'${known.length ? `; schedules: ${[...known].sort().join(', ')}` : ''}. Create it with 'tsflink schedule create <file.yaml>'.`);
    this.name = 'ScheduleNotFoundError';
  }
}

export class RunNotFoundError extends Error {
  constructor(schedule: string, runId: string) {
    super(`Schedule '${schedule}' has no run '${runId}'; list them with 'tsflink schedule runs ${schedule}'.`);
    this.name = 'RunNotFoundError';
  }
}

/** Counters for metrics (schedule_runs_total{schedule,state}, last_success_timestamp, run_lateness_seconds). */
export interface ScheduleMetrics {
  runsTotal: Map<string, Map<RunState, number>>;
  lastSuccessTimestamp: Map<string, number>;
  runLatenessSeconds: Map<string, number>;
}

export class EtlScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: NonNullable<EtlSchedulerOptions['log']>;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private loaded = false;
  readonly metrics: ScheduleMetrics = { runsTotal: new Map(), lastSuccessTimestamp: new Map(), runLatenessSeconds: new Map() };

  private readonly committer: PartitionCommitter;

  constructor(private readonly opts: EtlSchedulerOptions) {
    this.committer = opts.committer ?? new PartitionCommitter();
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? (() => {});
  }

  /** Loads schedules and runs from the store and reconciles runs found RUNNING with the cluster's jobs. */
  async load(): Promise<void> {
    this.loaded = true;
    for (const stored of await this.opts.store.listSchedules()) {
      try {
        const code = await this.opts.store.getBundle(stored.spec.name);
        const runs = new Map((await this.opts.store.listRuns(stored.spec.name)).map((r) => [r.runId, r] as const));
        this.entries.set(stored.spec.name, { stored, cron: CronSchedule.parse(stored.spec.cron, stored.spec.timezone), code, runs, nextProbe: new Map(), cancelling: new Set() });
        const running = [...runs.values()].filter((r) => r.state === 'RUNNING');
        // From the history, so a last_success_timestamp alert does not fire just because the JobManager restarted.
        const lastOk = Math.max(...[...runs.values()].filter((r) => r.state === 'SUCCEEDED' && r.endedAt !== undefined).map((r) => r.endedAt!));
        if (Number.isFinite(lastOk)) this.metrics.lastSuccessTimestamp.set(stored.spec.name, lastOk);
        this.log('INFO', `Schedule '${stored.spec.name}' loaded from ${this.opts.store.location}: ${runs.size} run(s), ${running.length} found RUNNING (reconciled with the cluster's jobs on the next tick)`);
      } catch (e) {
        this.log('ERROR', `Schedule '${stored.spec.name}' in ${this.opts.store.location} cannot be loaded: ${(e as Error).message}`);
      }
    }
  }

  /** Loads (unless load() ran), then ticks every `tickInterval` until stop(). */
  async start(): Promise<void> {
    if (!this.loaded) await this.load();
    const interval = this.opts.tickInterval ?? 500;
    const loop = (): void => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, interval);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }

  // ------------------------------------------------------------------------------------------
  // Verbs (CLI / REST)

  /** Creates the schedule, or updates its definition (history and materialized intervals are kept). */
  async upsert(spec: ScheduleSpec, bundle?: { code: Uint8Array; runtime: string }): Promise<'created' | 'updated'> {
    return this.serialized(async () => {
      const cron = CronSchedule.parse(spec.cron, spec.timezone);
      const b = bundle ?? await this.bundle(spec);
      const hash = createHash('sha256').update(b.code).digest('hex');
      const existing = this.entries.get(spec.name);
      const stored: StoredSchedule = existing
        ? { ...existing.stored, spec, bundleHash: hash, bundleRuntime: b.runtime, paused: existing.stored.paused || spec.suspend }
        : { spec, createdAt: this.clock.now(), paused: spec.suspend, bundleHash: hash, bundleRuntime: b.runtime, missedIntervals: 0 };
      await this.opts.store.putBundle(spec.name, b.code);
      await this.opts.store.saveSchedule(stored);
      if (existing) { existing.stored = stored; existing.cron = cron; existing.code = b.code; }
      else this.entries.set(spec.name, { stored, cron, code: b.code, runs: new Map(), nextProbe: new Map(), cancelling: new Set() });
      this.log('INFO', `Schedule '${spec.name}' ${existing ? 'updated' : 'created'}: cron '${spec.cron}' in ${spec.timezone}, job ${spec.job}`);
      return existing ? 'updated' : 'created';
    });
  }

  private async bundle(spec: ScheduleSpec): Promise<{ code: Uint8Array; runtime: string }> {
    if (!this.opts.bundler) throw new ScheduleSpecError(`Schedule '${spec.name}': no job bundle was given and this JobManager cannot bundle ${spec.job}; create it with 'tsflink schedule create', which bundles the job.`);
    return this.opts.bundler(spec.job);
  }

  async delete(name: string): Promise<void> {
    return this.serialized(async () => {
      const e = this.entry(name);
      for (const r of e.runs.values()) if (r.state === 'RUNNING' && r.jobId) await this.cancelQuietly(r.jobId);
      this.entries.delete(name);
      await this.opts.store.deleteSchedule(name);
      this.log('INFO', `Schedule '${name}' deleted`);
    });
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    return this.serialized(async () => {
      const e = this.entry(name);
      e.stored = { ...e.stored, paused };
      await this.opts.store.saveSchedule(e.stored);
      this.log('INFO', `Schedule '${name}' ${paused ? 'paused' : 'resumed'}`);
    });
  }

  /** A manual run now, for the latest complete interval (Airflow's manual trigger). */
  async trigger(name: string): Promise<ScheduleRun> {
    return this.serialized(async () => {
      const e = this.entry(name);
      const now = this.clock.now();
      const end = e.cron.atOrBefore(now);
      const start = end !== undefined ? e.cron.atOrBefore(end - 1) : undefined;
      const interval = start !== undefined && end !== undefined ? { start, end } : { start: now, end: now };
      const run = this.newRun(e, manualRunId(now), 'manual', interval, now);
      await this.save(e, run);
      return run;
    });
  }

  /** Runs for every interval starting in [from, to] (dates in the schedule's zone). */
  async backfill(name: string, from: string, to: string, reprocess: Reprocess = 'none', backwards = false): Promise<ScheduleRun[]> {
    return this.serialized(async () => {
      const e = this.entry(name);
      const tz = e.stored.spec.timezone;
      const f = parseInstant(from, tz);
      const t = parseInstant(to, tz);
      if (f === undefined || t === undefined) throw new ScheduleSpecError(`backfill of '${name}': --from and --to must be dates (2026-01-01) or date-times (2026-01-01T02:00, 2026-01-01T00:00:00Z), got '${from}' and '${to}'.`);
      if (t < f) throw new ScheduleSpecError(`backfill of '${name}': --to (${to}) is before --from (${from}).`);
      const now = this.clock.now();
      let intervals;
      try { intervals = intervalsBetween(e.cron, f, t, this.opts.maxBackfillRuns ?? 1000); } catch (err) { throw new ScheduleSpecError(`backfill of '${name}': ${(err as Error).message}`); }
      intervals = intervals.filter((i) => i.end <= now);
      if (backwards) intervals.reverse();
      const out: ScheduleRun[] = [];
      let order = 0;
      for (const i of intervals) {
        const id = intervalRunId(i.start);
        const existing = e.runs.get(id);
        let run: ScheduleRun;
        if (!existing) run = this.newRun(e, id, 'backfill', i, now);
        else if (!isTerminal(existing.state) || reprocess === 'none' || (reprocess === 'failed' && existing.state === 'SUCCEEDED')) continue;
        else run = this.requeue(e, existing, now);
        run.order = ++order; // the list is already in start order (reversed for --backwards)
        await this.save(e, run);
        out.push(run);
      }
      this.log('INFO', `Backfill of '${name}' from ${from} to ${to} (reprocess ${reprocess}${backwards ? ', backwards' : ''}): ${out.length} run(s) queued`);
      return out;
    });
  }

  async rerun(name: string, runId: string): Promise<ScheduleRun> {
    return this.serialized(async () => {
      const e = this.entry(name);
      const r = e.runs.get(runId);
      if (!r) throw new RunNotFoundError(name, runId);
      if (!isTerminal(r.state)) throw new ScheduleSpecError(`Run '${runId}' of '${name}' is ${r.state}; only a finished run can be rerun.`);
      const run = this.requeue(e, r, this.clock.now());
      await this.save(e, run);
      return run;
    });
  }

  schedules(): ScheduleStatus[] { return [...this.entries.keys()].sort().map((n) => this.status(n)); }

  status(name: string): ScheduleStatus {
    const e = this.entry(name);
    const runs = [...e.runs.values()];
    const counts = Object.fromEntries(RUN_STATES.map((s) => [s, 0])) as Record<RunState, number>;
    for (const r of runs) counts[r.state]++;
    const last = runs.filter((r) => r.kind !== 'manual').sort((a, b) => b.intervalStart - a.intervalStart)[0] ?? runs[runs.length - 1];
    const lastSuccess = this.metrics.lastSuccessTimestamp.get(name);
    const next = this.nextFireTime(e);
    return {
      name, cron: e.stored.spec.cron, timezone: e.stored.spec.timezone, job: e.stored.spec.job, paused: e.stored.paused,
      concurrencyPolicy: e.stored.spec.concurrencyPolicy, catchup: e.stored.spec.catchup,
      nextFireTime: next !== undefined ? zonedIso(next, e.stored.spec.timezone) : null,
      activeRuns: counts.RUNNING, missedIntervals: e.stored.missedIntervals,
      lastRun: last ? { runId: last.runId, state: last.state, intervalStart: new Date(last.intervalStart).toISOString() } : null,
      lastSuccessTime: lastSuccess !== undefined ? new Date(lastSuccess).toISOString() : null,
      runs: counts,
    };
  }

  spec(name: string): ScheduleSpec { return this.entry(name).stored.spec; }

  runs(name: string): ScheduleRun[] {
    return [...this.entry(name).runs.values()].sort((a, b) => a.intervalStart - b.intervalStart || a.createdAt - b.createdAt);
  }

  run(name: string, runId: string): ScheduleRun {
    const r = this.entry(name).runs.get(runId);
    if (!r) throw new RunNotFoundError(name, runId);
    return r;
  }

  private nextFireTime(e: Entry): number | undefined {
    const { spec } = e.stored;
    const from = firstIntervalStart({ cron: e.cron, start: spec.start, materializedUntil: e.stored.materializedUntil, createdAt: e.stored.createdAt });
    if (from === undefined || (spec.end !== undefined && from >= spec.end)) return undefined;
    const end = e.cron.nextAfter(from);
    return end !== undefined && end < this.clock.now() ? e.cron.nextAfter(this.clock.now()) : end;
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new ScheduleNotFoundError(name, [...this.entries.keys()]);
    return e;
  }

  // ------------------------------------------------------------------------------------------
  // The loop

  /** One evaluation of every schedule; concurrent calls wait for the one in progress. */
  tick(): Promise<void> { return this.serialized(() => this.evaluate()); }

  /** Verbs and ticks run one at a time, so a run record changes in one place only. */
  private async serialized<T>(fn: () => Promise<T>): Promise<T> {
    while (this.ticking) await this.ticking;
    let done!: () => void;
    this.ticking = new Promise<void>((r) => { done = r; });
    try { return await fn(); } finally { this.ticking = null; done(); }
  }

  private async evaluate(): Promise<void> {
    for (const e of [...this.entries.values()]) {
      try {
        await this.trackRunning(e);
        if (!e.stored.paused) await this.materializeDue(e);
        await this.checkWaits(e);
        await this.startQueued(e);
        for (const r of [...e.runs.values()]) if (r.state === 'WAITING' || r.state === 'QUEUED') await this.checkSla(e, r, this.clock.now());
        await this.trimHistory(e);
      } catch (err) {
        this.log('ERROR', `Schedule '${e.stored.spec.name}': ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private async materializeDue(e: Entry): Promise<void> {
    const { spec } = e.stored;
    const now = this.clock.now();
    const m = materialize({
      cron: e.cron, start: spec.start, end: spec.end, catchup: spec.catchup, maxCatchupRuns: spec.maxCatchupRuns ?? this.opts.maxCatchupRuns ?? 100,
      materializedUntil: e.stored.materializedUntil, createdAt: e.stored.createdAt, now,
    });
    e.nextDueAt = m.nextDueAt;
    if (m.intervals.length === 0) return;
    const active = [...e.runs.values()].filter((r) => r.state === 'RUNNING');
    for (const i of m.intervals) {
      const id = intervalRunId(i.start);
      if (e.runs.has(id)) continue; // materialized before (e.g. by a backfill, or before a crash)
      const run = this.newRun(e, id, 'scheduled', i, now);
      if (spec.startingDeadline !== undefined && now > i.end + spec.startingDeadline) {
        this.finish(e, run, 'SKIPPED', `not started within startingDeadline ${spec.startingDeadline} ms of its interval end (${new Date(i.end).toISOString()}); it was due while the scheduler was not running or the schedule was paused`);
      } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0 && now - i.end <= this.onTimeSlack()) {
        // Only an on-time run is skipped; catch-up runs (after downtime or resume) queue, so none is lost.
        this.finish(e, run, 'SKIPPED', `run ${active[0]!.runId} was still running (concurrencyPolicy Forbid)`);
      }
      await this.save(e, run);
    }
    if (m.missed) {
      const count = m.missed.count === 'many' ? 1_000 : m.missed.count;
      this.log('WARN', `Schedule '${spec.name}': ${m.missed.count === 'many' ? 'more than 1000' : m.missed.count} missed interval(s) from ${new Date(m.missed.from).toISOString()} to ${new Date(m.missed.to).toISOString()} not run (catchup ${spec.catchup}${spec.catchup === 'all' ? `, guard maxCatchupRuns` : ''}); run them with 'tsflink schedule backfill ${spec.name} --from … --to …'`);
      e.stored = { ...e.stored, missedIntervals: e.stored.missedIntervals + count };
    }
    e.stored = { ...e.stored, ...(m.materializedUntil !== undefined ? { materializedUntil: m.materializedUntil } : {}) };
    await this.opts.store.saveSchedule(e.stored);
  }

  /** How late a run may be materialized and still count as on time (Forbid skips only those). */
  private onTimeSlack(): number { return Math.max(1_000, 2 * (this.opts.tickInterval ?? 500)); }

  private newRun(e: Entry, runId: string, kind: RunKind, i: { start: number; end: number }, now: number): ScheduleRun {
    const run: ScheduleRun = {
      runId, schedule: e.stored.spec.name, kind, intervalStart: i.start, intervalEnd: i.end,
      state: e.stored.spec.waitFor.length > 0 ? 'WAITING' : 'QUEUED', attempt: 0, createdAt: now, attempts: [],
    };
    if (run.state === 'QUEUED') run.queuedAt = now;
    return run;
  }

  private requeue(e: Entry, r: ScheduleRun, now: number): ScheduleRun {
    const run: ScheduleRun = { ...r, state: e.stored.spec.waitFor.length > 0 ? 'WAITING' : 'QUEUED', createdAt: now, reruns: (r.reruns ?? 0) + 1, retriesUsed: 0 };
    delete run.error; delete run.endedAt; delete run.retryAt; delete run.slaMissed;
    if (run.state === 'QUEUED') run.queuedAt = now;
    return run;
  }

  private async checkWaits(e: Entry): Promise<void> {
    const { spec } = e.stored;
    const now = this.clock.now();
    const poll = spec.waitPollInterval ?? this.opts.waitPollInterval ?? 10_000;
    for (const r of e.runs.values()) {
      if (r.state !== 'WAITING') continue;
      if ((e.nextProbe.get(r.runId) ?? 0) > now) continue;
      e.nextProbe.set(r.runId, now + poll);
      const params = runParameters(r, r.attempt + 1, spec.timezone);
      const missing: string[] = [];
      for (const p of spec.waitFor.map((w) => renderTemplate(w, params))) {
        let ok = false;
        try { ok = await this.opts.probe.exists(p); } catch (err) { this.log('WARN', `Schedule '${spec.name}' run ${r.runId}: cannot check ${p}: ${(err as Error).message}`); }
        if (!ok) missing.push(p);
      }
      if (missing.length === 0) {
        r.state = 'QUEUED';
        r.queuedAt = now;
        e.nextProbe.delete(r.runId);
        this.log('INFO', `Schedule '${spec.name}' run ${r.runId}: input available, queued`);
        await this.save(e, r);
      } else if (spec.waitTimeout !== undefined && now > Math.max(r.intervalEnd, r.createdAt) + spec.waitTimeout) {
        this.finish(e, r, 'TIMED_OUT', `input not available within waitTimeout ${spec.waitTimeout} ms: missing ${missing.join(', ')}`);
        e.nextProbe.delete(r.runId);
        await this.save(e, r);
      }
    }
  }

  private async startQueued(e: Entry): Promise<void> {
    const { spec } = e.stored;
    if (e.stored.paused) return;
    const queued = [...e.runs.values()].filter((r) => r.state === 'QUEUED')
      .sort((a, b) => (a.kind === 'backfill' ? 1 : 0) - (b.kind === 'backfill' ? 1 : 0) || (a.order ?? 0) - (b.order ?? 0) || a.intervalStart - b.intervalStart);
    for (const r of queued) {
      const now = this.clock.now();
      if (r.retryAt !== undefined && r.retryAt > now) continue;
      if (r.kind === 'scheduled' && r.attempt === 0 && spec.startingDeadline !== undefined && now > r.intervalEnd + spec.startingDeadline) {
        this.finish(e, r, 'SKIPPED', `not started within startingDeadline ${spec.startingDeadline} ms of its interval end`);
        await this.save(e, r);
        continue;
      }
      const active = [...e.runs.values()].filter((x) => x.state === 'RUNNING');
      if (spec.concurrencyPolicy === 'Replace' && active.length > 0) {
        for (const a of active) {
          e.cancelling.add(a.runId);
          this.finish(e, a, 'FAILED', `replaced by run ${r.runId} (concurrencyPolicy Replace)`);
          this.endAttempt(a, 'CANCELED', `replaced by run ${r.runId}`);
          await this.save(e, a);
          if (a.jobId) await this.cancelQuietly(a.jobId);
        }
      } else if (active.length >= spec.maxActiveRuns) {
        return;
      }
      await this.launch(e, r);
    }
  }

  private async launch(e: Entry, r: ScheduleRun): Promise<void> {
    const { spec } = e.stored;
    const now = this.clock.now();
    r.attempt++;
    r.jobId = attemptJobId(spec.name, r.runId, r.attempt);
    r.state = 'RUNNING';
    r.startedAt ??= now;
    delete r.retryAt;
    r.attempts.push({ attempt: r.attempt, jobId: r.jobId, startedAt: now, state: 'RUNNING' });
    this.metrics.runLatenessSeconds.set(spec.name, Math.max(0, (now - r.intervalEnd) / 1000));
    // Persisted before the submission: after a crash the record names the job to look for.
    await this.save(e, r);
    const params = runParameters(r, r.attempt, spec.timezone);
    const config: Record<string, string> = {};
    try {
      const out = this.outputOf(spec, r, params);
      if (out) { await this.committer.prepare(out); params.output = out.staging; }
      if (spec.rejects) { params.rejects = renderTemplate(spec.rejects, params); await this.committer.clear(params.rejects); }
    } catch (err) {
      await this.attemptFailed(e, r, `cannot prepare the staging directory of output ${spec.output?.path}: ${(err as Error).message}`, true);
      return;
    }
    for (const [k, v] of Object.entries(spec.config)) config[k] = renderTemplate(v, params);
    config['execution.runtime-mode'] = 'BATCH';
    try {
      // The run parameters for getRuntimeContext().getJobParameter, next to the job's own global parameters.
      config[GLOBAL_JOB_PARAMETERS.key] = formatJobParameters({ ...parseJobParameters(config[GLOBAL_JOB_PARAMETERS.key]), ...jobParametersOf(params) });
    } catch (err) {
      this.finish(e, r, 'FAILED', `schedule config: ${(err as Error).message}`);
      this.endAttempt(r, 'FAILED', (err as Error).message);
      await this.save(e, r);
      return;
    }
    try {
      await this.opts.launcher.submit({
        jobId: r.jobId, jobName: `${spec.name} ${r.runId} #${r.attempt}`, schedule: spec.name,
        bundleCode: e.code, bundleHash: e.stored.bundleHash, bundleRuntime: e.stored.bundleRuntime, jobFile: spec.job,
        args: spec.args.map((a) => renderTemplate(a, params)), config, parameters: params,
      });
      this.log('INFO', `Schedule '${spec.name}' run ${r.runId} attempt ${r.attempt}: submitted job ${r.jobId} for [${params.interval_start}, ${params.interval_end})`);
    } catch (err) {
      await this.attemptFailed(e, r, `the job could not be submitted: ${(err as Error).message}`, true);
    }
  }

  /** The attempt's partition and staging paths, for a schedule with `output`. */
  private outputOf(spec: ScheduleSpec, r: ScheduleRun, params: RunParameters): PartitionPaths | undefined {
    return spec.output ? partitionPaths(renderTemplate(spec.output.path, params), r.runId, r.attempt) : undefined;
  }

  private endAttempt(r: ScheduleRun, state: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELED', error?: string): void {
    const a = r.attempts[r.attempts.length - 1];
    if (!a || a.state !== 'RUNNING') return;
    a.state = state;
    a.endedAt = this.clock.now();
    if (error !== undefined) a.error = error;
  }

  /** A failed attempt: retried after a backoff while retries are left (`counts`: against the budget). */
  private async attemptFailed(e: Entry, r: ScheduleRun, error: string, counts: boolean): Promise<void> {
    const { spec } = e.stored;
    this.endAttempt(r, 'FAILED', error);
    if (counts) r.retriesUsed = (r.retriesUsed ?? 0) + 1;
    const used = r.retriesUsed ?? 0;
    if (!counts || used <= spec.retries.attempts) {
      const delay = counts ? retryDelay(spec.retries, used, this.random) : 0;
      r.state = 'QUEUED';
      r.retryAt = this.clock.now() + delay;
      r.error = error;
      this.log('WARN', `Schedule '${spec.name}' run ${r.runId} attempt ${r.attempt} failed (${error}); ${counts ? `retry ${used} of ${spec.retries.attempts} in ${delay} ms` : 'resubmitting'}`);
    } else {
      this.finish(e, r, 'FAILED', error);
    }
    await this.save(e, r);
  }

  private async trackRunning(e: Entry): Promise<void> {
    const { spec } = e.stored;
    for (const r of [...e.runs.values()]) {
      if (r.state !== 'RUNNING' || !r.jobId) continue;
      const now = this.clock.now();
      const s = this.opts.launcher.jobState(r.jobId);
      const attemptStart = r.attempts[r.attempts.length - 1]?.startedAt ?? r.startedAt ?? now;
      const out = this.outputOf(spec, r, runParameters(r, r.attempt, spec.timezone));
      if (s.state === 'SUCCEEDED' && out) {
        try { await this.committer.commit(out, spec.output!.successFile); } catch (err) {
          await this.attemptFailed(e, r, `job ${r.jobId} succeeded but its output could not be committed to ${out.partition}: ${(err as Error).message}`, true);
          continue;
        }
        this.log('INFO', `Schedule '${spec.name}' run ${r.runId}: partition ${out.partition} committed`);
      }
      if ((s.state === 'FAILED' || s.state === 'CANCELED' || s.state === 'UNKNOWN') && out) {
        await this.committer.abort(out).catch((err: unknown) => this.log('WARN', `Schedule '${spec.name}' run ${r.runId}: cannot remove ${out.staging}: ${(err as Error).message}`));
      }
      // Also for a failed attempt: a job failed by maxRejectedFraction says how much was rejected.
      if (s.state === 'SUCCEEDED' || s.state === 'FAILED') await this.countRejected(spec, r, s);
      if (s.state === 'SUCCEEDED') {
        this.endAttempt(r, 'SUCCEEDED');
        this.finish(e, r, 'SUCCEEDED');
        this.metrics.lastSuccessTimestamp.set(spec.name, now);
        this.log('INFO', `Schedule '${spec.name}' run ${r.runId} SUCCEEDED (job ${r.jobId}, attempt ${r.attempt})`);
        await this.save(e, r);
      } else if (s.state === 'FAILED') {
        await this.attemptFailed(e, r, `job ${r.jobId} failed: ${s.error ?? 'unknown error'}`, true);
      } else if (s.state === 'CANCELED') {
        if (e.cancelling.delete(r.runId)) continue;
        this.endAttempt(r, 'CANCELED', 'job canceled');
        this.finish(e, r, 'FAILED', `job ${r.jobId} was canceled outside the scheduler`);
        await this.save(e, r);
      } else if (s.state === 'UNKNOWN') {
        // Found RUNNING after a restart but the cluster has no such job: its attempt is lost with the old JobManager.
        await this.attemptFailed(e, r, `job ${r.jobId} is not known to the cluster (the JobManager restarted while it ran)`, false);
      } else if (spec.timeout !== undefined && now - attemptStart > spec.timeout) {
        e.cancelling.add(r.runId);
        this.endAttempt(r, 'TIMED_OUT', `attempt exceeded timeout ${spec.timeout} ms`);
        this.finish(e, r, 'TIMED_OUT', `attempt ${r.attempt} ran longer than timeout ${spec.timeout} ms; job ${r.jobId} cancelled`);
        await this.save(e, r);
        await this.cancelQuietly(r.jobId);
        if (out) await this.committer.abort(out).catch(() => { /* hidden; replaced by the next attempt's commit */ });
      } else {
        await this.checkSla(e, r, now);
      }
    }
  }

  /** The attempt's rejected records: the job's numRecordsRejected accumulator, or the lines in the run's rejects dir. */
  private async countRejected(spec: ScheduleSpec, r: ScheduleRun, s: LaunchedJobState): Promise<void> {
    delete r.recordsRejected;
    const rejected = Number(s.accumulators?.['numRecordsRejected'] ?? NaN);
    if (Number.isFinite(rejected)) r.recordsRejected = rejected;
    if (!spec.rejects) return;
    const dir = renderTemplate(spec.rejects, runParameters(r, r.attempt, spec.timezone));
    try { r.recordsRejected = await this.committer.countLines(dir); } catch (err) { this.log('WARN', `Schedule '${spec.name}' run ${r.runId}: cannot count rejects in ${dir}: ${(err as Error).message}`); }
  }

  private async checkSla(e: Entry, r: ScheduleRun, now: number): Promise<void> {
    const { sla } = e.stored.spec;
    if (r.slaMissed) return;
    const over = (sla.maxDuration !== undefined && r.startedAt !== undefined && now - r.startedAt > sla.maxDuration)
      || (sla.shouldEnd !== undefined && now > r.intervalEnd + sla.shouldEnd)
      || (sla.shouldStart !== undefined && r.state !== 'RUNNING' && r.startedAt === undefined && now > r.intervalEnd + sla.shouldStart);
    if (!over) return;
    r.slaMissed = true;
    await this.save(e, r);
    this.notify(e, r, 'sla_miss');
  }

  private finish(e: Entry, r: ScheduleRun, state: RunState, error?: string): void {
    r.state = state;
    r.endedAt = this.clock.now();
    delete r.retryAt;
    if (error !== undefined) r.error = error;
    else delete r.error;
    const byState = this.metrics.runsTotal.get(r.schedule) ?? new Map<RunState, number>();
    byState.set(state, (byState.get(state) ?? 0) + 1);
    this.metrics.runsTotal.set(r.schedule, byState);
    if (state !== 'SUCCEEDED') this.log('WARN', `Schedule '${r.schedule}' run ${r.runId} ${state}${error ? `: ${error}` : ''}`);
    if (state === 'FAILED' || state === 'TIMED_OUT') this.notify(e, r, state === 'FAILED' ? 'run_failed' : 'run_timed_out');
  }

  private notify(e: Entry, r: ScheduleRun, event: string): void {
    const url = e.stored.spec.webhook;
    if (!url) return;
    const body = { event, schedule: r.schedule, runId: r.runId, state: r.state, attempt: r.attempt, jobId: r.jobId ?? null, intervalStart: new Date(r.intervalStart).toISOString(), intervalEnd: new Date(r.intervalEnd).toISOString(), error: r.error ?? null };
    const send = this.opts.notify ?? (async (u: string, b: Record<string, unknown>) => {
      const res = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b), signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    });
    send(url, body).catch((err: unknown) => this.log('WARN', `Schedule '${r.schedule}': webhook ${url} for ${event} of ${r.runId} failed: ${(err as Error).message}`));
  }

  private async trimHistory(e: Entry): Promise<void> {
    const { spec } = e.stored;
    const limits = { ok: spec.history.successful ?? this.opts.historySuccessfulLimit ?? 100, bad: spec.history.failed ?? this.opts.historyFailedLimit ?? 100 };
    const done = [...e.runs.values()].filter((r) => isTerminal(r.state)).sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
    const ok = done.filter((r) => r.state === 'SUCCEEDED');
    const bad = done.filter((r) => r.state !== 'SUCCEEDED');
    for (const r of [...ok.slice(limits.ok), ...bad.slice(limits.bad)]) {
      e.runs.delete(r.runId);
      await this.opts.store.deleteRun(spec.name, r.runId);
    }
  }

  private async save(e: Entry, r: ScheduleRun): Promise<void> {
    e.runs.set(r.runId, r);
    await this.opts.store.saveRun(r);
  }

  private async cancelQuietly(jobId: string): Promise<void> {
    try { await this.opts.launcher.cancel(jobId); } catch (err) { this.log('WARN', `cancelling job ${jobId}: ${(err as Error).message}`); }
  }
}
