// A schedule as declared in YAML (schedules/*.yaml, `tsflink schedule create`, POST /schedules):
// parsed and validated here, every problem reported with the file, the field and what is allowed.
import { isAbsolute, dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDuration, editDistance } from '../configuration/index.js';
import { CronSchedule } from './CronSchedule.js';
import { isValidTimeZone, parseInstant } from './ZonedTime.js';
import { checkTemplate } from './RunTemplate.js';
import { parseJobParameters } from '../configuration/PipelineOptions.js';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';
export type CatchupPolicy = 'none' | 'all';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  attempts: number;
  initialBackoff: number;
  multiplier: number;
  maxBackoff: number;
  /** Fraction of the delay added or taken at random (0.1 = ±10 %). */
  jitter: number;
}

export interface ScheduleSpec {
  name: string;
  /** Job file (absolute once resolved against the schedule file). */
  job: string;
  args: string[];
  cron: string;
  timezone: string;
  start?: number;
  end?: number;
  catchup: CatchupPolicy;
  concurrencyPolicy: ConcurrencyPolicy;
  maxActiveRuns: number;
  /** Guard for catch-up: at most this many missed intervals at once (unset: scheduler.max-catchup-runs). */
  maxCatchupRuns?: number;
  retries: RetryPolicy;
  /** Per attempt: the job is cancelled past it and the run ends TIMED_OUT. */
  timeout?: number;
  /** A run that cannot start within this time after its interval ended is SKIPPED. */
  startingDeadline?: number;
  waitFor: string[];
  /** How long a run may stay WAITING for its `waitFor` paths (from its interval end); unset = forever. */
  waitTimeout?: number;
  waitPollInterval?: number;
  /** Config keys of every run (templated). */
  config: Record<string, string>;
  suspend: boolean;
  history: { successful?: number; failed?: number };
  /** Oozie's SLA: a run not started by interval end + shouldStart, not ended by + shouldEnd, or running longer than maxDuration is an SLA miss (webhook sla_miss). */
  sla: { maxDuration?: number; shouldStart?: number; shouldEnd?: number };
  /** POSTed a JSON event when a run fails, times out or misses its SLA. */
  webhook?: string;
  /** Idempotent output: the job writes to {{output}}, committed onto `path` (templated) with `successFile` on success. */
  output?: { path: string; successFile: string };
  /** Rejects directory of a run (templated, {{rejects}} in args): its lines are counted as the run's recordsRejected. */
  rejects?: string;
}

/** A schedule file that cannot be used; the message names the source, the field and the fix. */
export class ScheduleSpecError extends Error {
  constructor(message: string) { super(message); this.name = 'ScheduleSpecError'; }
}

const FIELDS = ['name', 'job', 'args', 'cron', 'timezone', 'start', 'end', 'catchup', 'concurrencyPolicy', 'maxActiveRuns', 'maxCatchupRuns', 'retries', 'timeout',
  'startingDeadline', 'waitFor', 'waitTimeout', 'waitPollInterval', 'config', 'suspend', 'history', 'sla', 'webhook', 'output', 'rejects'] as const;
const NAME = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Parses a schedule file's text. `source` names it in errors; relative `job` paths resolve against its directory. */
export function parseScheduleYaml(text: string, source: string): ScheduleSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ScheduleSpecError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  return validateScheduleSpec(doc, source, isAbsolute(source) ? dirname(source) : undefined);
}

/** Validates a schedule object (YAML or JSON); `baseDir` resolves a relative `job` path. */
export function validateScheduleSpec(doc: unknown, source: string, baseDir?: string): ScheduleSpec {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ScheduleSpecError(`${source}: a schedule is a YAML mapping with at least name, job and cron.`);
  const o = doc as Record<string, unknown>;
  const where = (field: string): string => `${source}: '${field}'`;
  for (const k of Object.keys(o)) {
    if (!(FIELDS as readonly string[]).includes(k)) {
      const near = FIELDS.map((f) => [f, editDistance(k.toLowerCase(), f.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0]!;
      throw new ScheduleSpecError(`${source}: unknown field '${k}'${near[1] <= 3 ? ` (did you mean '${near[0]}'?)` : ''}. Known fields: ${FIELDS.join(', ')}.`);
    }
  }
  const str = (field: string, required: boolean): string | undefined => {
    const v = o[field];
    if (v === undefined || v === null) {
      if (required) throw new ScheduleSpecError(`${where(field)} is missing.`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') throw new ScheduleSpecError(`${where(field)} must be a non-empty string, got ${JSON.stringify(v)}.`);
    return v.trim();
  };
  const duration = (v: unknown, field: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new ScheduleSpecError(`${where(field)} must be a duration such as '30 s', '10 min' or '2 h', got ${JSON.stringify(v)}.`);
    try { return parseDuration(v); } catch (e) { throw new ScheduleSpecError(`${where(field)}: ${(e as Error).message}.`); }
  };
  const int = (v: unknown, field: string, min: number, dflt?: number): number | undefined => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ScheduleSpecError(`${where(field)} must be an integer ≥ ${min}, got ${JSON.stringify(v)}.`);
    return v;
  };
  const oneOf = <E extends string>(field: string, values: readonly E[], dflt: E): E => {
    const v = o[field];
    if (v === undefined || v === null) return dflt;
    const hit = values.find((x) => typeof v === 'string' && x.toLowerCase() === v.toLowerCase());
    if (!hit) throw new ScheduleSpecError(`${where(field)} must be one of ${values.join(' | ')}, got ${JSON.stringify(v)}.`);
    return hit;
  };
  const sub = (field: string, keys: readonly string[]): Record<string, unknown> => {
    const v = o[field];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new ScheduleSpecError(`${where(field)} must be a mapping with ${keys.join(', ')}.`);
    for (const k of Object.keys(v)) if (!keys.includes(k)) throw new ScheduleSpecError(`${where(field)}: unknown key '${k}'; allowed: ${keys.join(', ')}.`);
    return v as Record<string, unknown>;
  };
  const stringList = (field: string): string[] => {
    const v = o[field];
    if (v === undefined || v === null) return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new ScheduleSpecError(`${where(field)} must be a list of strings.`);
    return list.map(String);
  };

  const name = str('name', true)!;
  if (!NAME.test(name)) throw new ScheduleSpecError(`${where('name')}: '${name}' is not a valid schedule name: use 1-64 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit.`);
  let job = str('job', true)!;
  if (!/^[a-z]+:\/\//.test(job) && !isAbsolute(job) && baseDir) job = resolve(baseDir, job);
  const timezone = str('timezone', false) ?? 'UTC';
  if (!isValidTimeZone(timezone)) throw new ScheduleSpecError(`${where('timezone')}: unknown time zone '${timezone}'; use an IANA name such as UTC, Europe/Berlin or America/New_York.`);
  const cronText = o['cron'];
  if (typeof cronText !== 'string' || cronText.trim() === '') throw new ScheduleSpecError(`${where('cron')} is missing: give 5 cron fields (minute hour day month weekday), 6 with seconds first, or @hourly/@daily/@weekly/@monthly/@yearly.`);
  try { CronSchedule.parse(cronText, timezone); } catch (e) { throw new ScheduleSpecError(`${where('cron')}: ${(e as Error).message}`); }
  const instant = (field: string): number | undefined => {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? parseInstant(v, timezone) : undefined;
    if (t === undefined) throw new ScheduleSpecError(`${where(field)}: ${JSON.stringify(v)} is not a date: use 2026-01-01, 2026-01-01T02:00 (in the schedule's time zone) or 2026-01-01T00:00:00Z.`);
    return t;
  };
  const start = instant('start');
  const end = instant('end');
  if (start !== undefined && end !== undefined && end <= start) throw new ScheduleSpecError(`${where('end')} must be after 'start'.`);

  const r = sub('retries', ['attempts', 'initialBackoff', 'multiplier', 'maxBackoff', 'jitter']);
  const retries: RetryPolicy = {
    attempts: int(r['attempts'], 'retries.attempts', 0, 0)!,
    initialBackoff: duration(r['initialBackoff'], 'retries.initialBackoff') ?? 10_000,
    multiplier: typeof r['multiplier'] === 'number' && r['multiplier'] >= 1 ? r['multiplier'] : r['multiplier'] === undefined ? 2 : fail(`${where('retries.multiplier')} must be a number ≥ 1.`),
    maxBackoff: duration(r['maxBackoff'], 'retries.maxBackoff') ?? 600_000,
    jitter: typeof r['jitter'] === 'number' && r['jitter'] >= 0 && r['jitter'] <= 1 ? r['jitter'] : r['jitter'] === undefined ? 0.1 : fail(`${where('retries.jitter')} must be a fraction between 0 and 1.`),
  };
  if (retries.maxBackoff < retries.initialBackoff) throw new ScheduleSpecError(`${where('retries.maxBackoff')} must not be below retries.initialBackoff.`);

  const configRaw = sub('config', Object.keys((o['config'] as object | undefined) ?? {}));
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(configRaw)) {
    if (v !== null && typeof v === 'object') throw new ScheduleSpecError(`${where(`config.${k}`)}: config values are scalars (write nested keys flat, e.g. 'parallelism.default: 4').`);
    config[k] = String(v);
  }
  const mode = config['execution.runtime-mode'];
  if (mode !== undefined && mode.toUpperCase() !== 'BATCH') throw new ScheduleSpecError(`${where('config.execution.runtime-mode')}: scheduled runs are BATCH jobs; remove the key or set BATCH.`);

  const jp = config['pipeline.global-job-parameters'];
  if (jp !== undefined) { try { parseJobParameters(jp); } catch (e) { throw new ScheduleSpecError(`${where('config.pipeline.global-job-parameters')}: ${(e as Error).message}`); } }
  const args = stringList('args');
  const waitFor = stringList('waitFor');
  const template = (text: string, field: string): void => {
    try { checkTemplate(text, where(field)); } catch (e) { throw new ScheduleSpecError((e as Error).message); }
  };
  for (const [i, a] of args.entries()) template(a, `args[${i}]`);
  for (const [i, a] of waitFor.entries()) template(a, `waitFor[${i}]`);
  for (const [k, v] of Object.entries(config)) template(v, `config.${k}`);

  const out = sub('output', ['path', 'successFile']);
  let output: ScheduleSpec['output'];
  if (o['output'] !== undefined && o['output'] !== null) {
    if (typeof out['path'] !== 'string' || !out['path'].includes('{{')) throw new ScheduleSpecError(`${where('output.path')} must be the partition directory, templated per run, e.g. hdfs:///warehouse/orders/dt={{ds}}.`);
    template(out['path'], 'output.path');
    if (/\{\{\s*output\s*\}\}/.test(out['path'])) throw new ScheduleSpecError(`${where('output.path')} cannot use {{output}} (it is the staging directory derived from output.path).`);
    const successFile = out['successFile'] === undefined ? '_SUCCESS' : out['successFile'];
    if (typeof successFile !== 'string' || !/^[^/]+$/.test(successFile)) throw new ScheduleSpecError(`${where('output.successFile')} must be a file name such as _SUCCESS.`);
    output = { path: out['path'], successFile };
  }
  const usesOutput = [...args, ...Object.values(config)].some((t) => /\{\{\s*output\s*\}\}/.test(t));
  if (usesOutput && !output) throw new ScheduleSpecError(`${source}: {{output}} is used but 'output' is not declared; add output: { path: <table dir>/dt={{ds}} }.`);
  if (output && !usesOutput) throw new ScheduleSpecError(`${source}: 'output' is declared but no arg or config value passes {{output}} to the job, so the job cannot write the staging directory.`);
  const rejects = str('rejects', false);
  if (rejects !== undefined) {
    if (!rejects.includes('{{')) throw new ScheduleSpecError(`${where('rejects')} must be templated per run, e.g. hdfs:///rejects/orders/dt={{ds}}.`);
    template(rejects, 'rejects');
  }
  const usesRejects = [...args, ...Object.values(config)].some((t) => /\{\{\s*rejects\s*\}\}/.test(t));
  if (usesRejects && rejects === undefined) throw new ScheduleSpecError(`${source}: {{rejects}} is used but 'rejects' is not declared.`);
  const suspend = o['suspend'];
  if (suspend !== undefined && typeof suspend !== 'boolean') throw new ScheduleSpecError(`${where('suspend')} must be true or false.`);
  const h = sub('history', ['successful', 'failed']);
  const s = sub('sla', ['maxDuration', 'shouldStart', 'shouldEnd', 'max-duration', 'should-start', 'should-end']);
  const webhook = str('webhook', false);
  if (webhook !== undefined && !/^https?:\/\//.test(webhook)) throw new ScheduleSpecError(`${where('webhook')} must be an http:// or https:// URL.`);
  const concurrencyPolicy = oneOf('concurrencyPolicy', ['Allow', 'Forbid', 'Replace'] as const, 'Forbid');
  const maxActiveRuns = int(o['maxActiveRuns'], 'maxActiveRuns', 1, concurrencyPolicy === 'Allow' ? 16 : 1)!;
  if (concurrencyPolicy !== 'Allow' && maxActiveRuns > 1) throw new ScheduleSpecError(`${where('maxActiveRuns')}: concurrencyPolicy ${concurrencyPolicy} runs one run at a time; use concurrencyPolicy: Allow for maxActiveRuns ${maxActiveRuns}.`);

  const spec: ScheduleSpec = {
    name, job, args, cron: cronText.trim(), timezone,
    catchup: oneOf('catchup', ['none', 'all'] as const, 'none'),
    concurrencyPolicy, maxActiveRuns, retries, waitFor, config, suspend: suspend === true,
    history: {}, sla: {},
  };
  const opt = <K extends keyof ScheduleSpec>(k: K, v: ScheduleSpec[K] | undefined): void => { if (v !== undefined) spec[k] = v; };
  opt('start', start);
  opt('end', end);
  opt('maxCatchupRuns', int(o['maxCatchupRuns'], 'maxCatchupRuns', 1));
  opt('timeout', duration(o['timeout'], 'timeout'));
  opt('startingDeadline', duration(o['startingDeadline'], 'startingDeadline'));
  opt('waitTimeout', duration(o['waitTimeout'], 'waitTimeout'));
  opt('waitPollInterval', duration(o['waitPollInterval'], 'waitPollInterval'));
  opt('webhook', webhook);
  opt('output', output);
  opt('rejects', rejects);
  const successful = int(h['successful'], 'history.successful', 0);
  const failed = int(h['failed'], 'history.failed', 0);
  if (successful !== undefined) spec.history.successful = successful;
  if (failed !== undefined) spec.history.failed = failed;
  const maxDuration = duration(s['maxDuration'] ?? s['max-duration'], 'sla.maxDuration');
  const shouldEnd = duration(s['shouldEnd'] ?? s['should-end'], 'sla.shouldEnd');
  if (maxDuration !== undefined) spec.sla.maxDuration = maxDuration;
  if (shouldEnd !== undefined) spec.sla.shouldEnd = shouldEnd;
  const shouldStart = duration(s['shouldStart'] ?? s['should-start'], 'sla.shouldStart');
  if (shouldStart !== undefined) spec.sla.shouldStart = shouldStart;
  if (waitFor.length === 0 && spec.waitTimeout !== undefined) throw new ScheduleSpecError(`${where('waitTimeout')} is set but 'waitFor' is empty: add the paths to wait for, or remove waitTimeout.`);
  return spec;
}

function fail(message: string): never { throw new ScheduleSpecError(message); }
