import { describe, it, expect } from 'vitest';
import { CronSchedule } from './CronSchedule.js';
import { materialize, intervalsBetween } from './RunMaterializer.js';
import { parseScheduleYaml, validateScheduleSpec, ScheduleSpecError } from './ScheduleSpec.js';
import { renderTemplate, runParameters, checkTemplate } from './RunTemplate.js';
import { retryDelay } from './RetryBackoff.js';
import { intervalRunId, attemptJobId } from './ScheduleRun.js';
import { zonedIso, zonedDate, parseInstant } from './ZonedTime.js';

const iso = (t: number): string => new Date(t).toISOString();
const at = (s: string): number => Date.parse(s);

/** Consecutive fire times of `cron` from `from`, as UTC ISO strings. */
function fires(cron: CronSchedule, from: number, n: number): string[] {
  const out: string[] = [];
  let t = from;
  for (let i = 0; i < n; i++) { t = cron.nextAfter(t)!; out.push(iso(t)); }
  return out;
}

describe('CronSchedule across DST changes', () => {
  it('Europe/Berlin: a 02:30 daily run fires once on the spring-forward day (after the gap) and once on the fall-back day', () => {
    const c = CronSchedule.parse('30 2 * * *', 'Europe/Berlin');
    // 2026-03-29: 02:00 CET → 03:00 CEST; 02:30 does not exist and runs at 03:30 CEST (01:30Z).
    expect(fires(c, at('2026-03-27T12:00:00Z'), 3)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // Before the shifted 03:30 of that day, the last fire time is the day before's (croner's previousRuns alone answers 03:30 here).
    expect(iso(c.atOrBefore(at('2026-03-29T01:00:00Z'))!)).toBe('2026-03-28T01:30:00.000Z');
    expect(iso(c.atOrBefore(at('2026-03-29T01:30:00Z'))!)).toBe('2026-03-29T01:30:00.000Z');
    // 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens twice and runs at its first occurrence only.
    expect(fires(c, at('2026-10-23T12:00:00Z'), 3)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('America/New_York: the same for 02:30 (spring, 2026-03-08) and 01:30 (fall, 2026-11-01)', () => {
    expect(fires(CronSchedule.parse('30 2 * * *', 'America/New_York'), at('2026-03-06T12:00:00Z'), 3))
      .toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(fires(CronSchedule.parse('30 1 * * *', 'America/New_York'), at('2026-10-30T12:00:00Z'), 3))
      .toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('@daily intervals follow local midnight, so the spring-forward day is 23 h and the fall-back day 25 h', () => {
    const c = CronSchedule.parse('@daily', 'Europe/Berlin');
    const ivs = intervalsBetween(c, at('2026-03-28T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'), 10);
    expect(ivs.map((i) => [zonedDate(i.start, 'Europe/Berlin'), (i.end - i.start) / 3_600_000])).toEqual([['2026-03-28', 24], ['2026-03-29', 23], ['2026-03-30', 24]]);
    const fall = intervalsBetween(c, at('2026-10-25T00:00:00+02:00'), at('2026-10-25T00:00:00+02:00'), 10);
    expect((fall[0]!.end - fall[0]!.start) / 3_600_000).toBe(25);
  });

  it('hourly intervals stay contiguous through the fall-back hour (no gap, no overlap)', () => {
    const c = CronSchedule.parse('0 * * * *', 'America/New_York');
    const ivs = intervalsBetween(c, at('2026-11-01T04:00:00Z'), at('2026-11-01T08:00:00Z'), 10);
    for (let i = 1; i < ivs.length; i++) expect(ivs[i]!.start).toBe(ivs[i - 1]!.end);
    expect(ivs[0]!.start).toBe(at('2026-11-01T04:00:00Z'));
  });

  it('nextAfter and atOrBefore agree through the four DST changes of Berlin and New York (no gap, no repeat, no step back)', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York']) {
      for (const expr of ['30 2 * * *', '30 1 * * *', '0 * * * *', '*/20 2 * * *', '0 0 * * 0']) {
        const c = CronSchedule.parse(expr, tz);
        for (const [from, to] of [['2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z'], ['2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'], ['2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z'], ['2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z']]) {
          let prev = c.atOrBefore(at(from))!;
          for (let t = c.nextAfter(prev)!; t < at(to); t = c.nextAfter(t)!) {
            expect(t).toBeGreaterThan(prev);
            expect(c.atOrBefore(t)).toBe(t);
            expect(c.atOrBefore(t - 1)).toBe(prev);
            expect(c.nextAfter(prev)).toBe(t);
            prev = t;
          }
        }
      }
    }
  });

  it('seconds field, macros, bad expressions', () => {
    expect(fires(CronSchedule.parse('*/5 * * * * *', 'UTC'), at('2026-01-01T00:00:02.500Z'), 2)).toEqual(['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:10.000Z']);
    expect(fires(CronSchedule.parse('@hourly', 'UTC'), at('2026-01-01T00:00:00Z'), 1)).toEqual(['2026-01-01T01:00:00.000Z']);
    expect(CronSchedule.parse('0 2 * * *', 'UTC').atOrBefore(at('2026-01-02T02:00:00Z'))).toBe(at('2026-01-02T02:00:00Z'));
    expect(() => CronSchedule.parse('0 2 * *', 'UTC')).toThrow(/has 4 fields; a cron expression has 5/);
    expect(() => CronSchedule.parse('0 0 2 * * * 2026', 'UTC')).toThrow(/7 fields/);
    expect(() => CronSchedule.parse('@fortnightly', 'UTC')).toThrow(/not a known macro/);
    expect(() => CronSchedule.parse('61 * * * *', 'UTC')).toThrow(/not a valid cron expression/);
    expect(() => CronSchedule.parse('TZ=UTC 0 2 * * *', 'UTC')).toThrow(/give the time zone in 'timezone'/);
  });
});

describe('RunMaterializer (Airflow data intervals)', () => {
  const daily = CronSchedule.parse('0 2 * * *', 'UTC');
  it('a run for [start, end) is created only after end', () => {
    const base = { cron: daily, catchup: 'all' as const, maxCatchupRuns: 100, createdAt: at('2026-01-01T00:00:00Z'), start: at('2026-01-01T00:00:00Z') };
    const before = materialize({ ...base, now: at('2026-01-02T01:59:59Z') });
    expect(before.intervals).toEqual([]);
    expect(before.nextDueAt).toBe(at('2026-01-02T02:00:00Z'));
    const after = materialize({ ...base, now: at('2026-01-02T02:00:00Z') });
    expect(after.intervals.map((i) => [iso(i.start), iso(i.end)])).toEqual([['2026-01-01T02:00:00.000Z', '2026-01-02T02:00:00.000Z']]);
    expect(after.materializedUntil).toBe(at('2026-01-02T02:00:00Z'));
    // Nothing twice: from materializedUntil on, the same time owes nothing more.
    expect(materialize({ ...base, materializedUntil: after.materializedUntil, now: at('2026-01-02T12:00:00Z') }).intervals).toEqual([]);
  });

  it('catchup all materializes every missed interval up to the guard; older ones are reported missed', () => {
    const base = { cron: daily, catchup: 'all' as const, createdAt: 0, start: at('2026-01-01T00:00:00Z'), now: at('2026-01-21T03:00:00Z') };
    const all = materialize({ ...base, maxCatchupRuns: 100 });
    expect(all.intervals).toHaveLength(20);
    expect(all.missed).toBeUndefined();
    const guarded = materialize({ ...base, maxCatchupRuns: 5 });
    expect(guarded.intervals.map((i) => iso(i.start).slice(0, 10))).toEqual(['2026-01-16', '2026-01-17', '2026-01-18', '2026-01-19', '2026-01-20']);
    expect(guarded.missed).toEqual({ from: at('2026-01-01T02:00:00Z'), to: at('2026-01-16T02:00:00Z'), count: 15 });
  });

  it('catchup none runs only the latest missed interval; a seconds schedule down for a day does not loop', () => {
    const none = materialize({ cron: daily, catchup: 'none', maxCatchupRuns: 100, createdAt: 0, start: at('2026-01-01T00:00:00Z'), now: at('2026-01-21T03:00:00Z') });
    expect(none.intervals.map((i) => iso(i.start))).toEqual(['2026-01-20T02:00:00.000Z']);
    expect(none.missed?.count).toBe(19);
    const secs = CronSchedule.parse('* * * * * *', 'UTC');
    const down = materialize({ cron: secs, catchup: 'all', maxCatchupRuns: 3, createdAt: 0, materializedUntil: at('2026-01-01T00:00:00Z'), now: at('2026-01-02T00:00:00Z') });
    expect(down.intervals).toHaveLength(3);
    expect(down.missed?.count).toBe('many');
  });

  it('without a start the first interval is the one in progress at creation; end bounds the last', () => {
    const m = materialize({ cron: daily, catchup: 'all', maxCatchupRuns: 100, createdAt: at('2026-01-05T10:00:00Z'), now: at('2026-01-06T02:00:01Z') });
    expect(m.intervals.map((i) => iso(i.start))).toEqual(['2026-01-05T02:00:00.000Z']);
    const ended = materialize({ cron: daily, catchup: 'all', maxCatchupRuns: 100, createdAt: 0, start: at('2026-01-01T00:00:00Z'), end: at('2026-01-03T12:00:00Z'), now: at('2026-02-01T00:00:00Z') });
    expect(ended.intervals.map((i) => iso(i.start))).toEqual(['2026-01-01T02:00:00.000Z', '2026-01-02T02:00:00.000Z', '2026-01-03T02:00:00.000Z']);
    expect(ended.nextDueAt).toBeUndefined();
  });

  it('backfill intervals: starts within [from, to], bounded', () => {
    expect(intervalsBetween(daily, at('2026-01-01T00:00:00Z'), at('2026-01-05T23:59:59Z'), 10)).toHaveLength(5);
    expect(() => intervalsBetween(CronSchedule.parse('* * * * *', 'UTC'), 0, at('2026-01-01T00:00:00Z'), 1000)).toThrow(/more than 1000 intervals/);
  });
});

describe('RunTemplate and run ids', () => {
  it('renders the data interval in the schedule time zone', () => {
    const run = { schedule: 'daily', runId: intervalRunId(at('2026-03-28T23:00:00Z')), intervalStart: at('2026-03-28T23:00:00Z'), intervalEnd: at('2026-03-29T22:00:00Z') };
    const p = runParameters(run, 2, 'Europe/Berlin');
    expect(p).toEqual({
      ds: '2026-03-29', ds_nodash: '20260329', interval_start: '2026-03-29T00:00:00+01:00', interval_end: '2026-03-30T00:00:00+02:00',
      run_id: 'scheduled__20260328T230000Z', attempt: '2', schedule: 'daily', output: '', rejects: '',
    });
    expect(renderTemplate('hdfs:///out/dt={{ds}}/{{ ds_nodash }}-{{attempt}}', p)).toBe('hdfs:///out/dt=2026-03-29/20260329-2');
    expect(() => checkTemplate('dt={{date}}', 'args[0]')).toThrow(/unknown template variable '\{\{date\}\}'.*available: \{\{ds\}\}/);
  });

  it('run and job ids are deterministic per interval and attempt', () => {
    expect(intervalRunId(at('2026-01-01T02:00:00Z'))).toBe('scheduled__20260101T020000Z');
    expect(attemptJobId('a', 'r', 1)).toBe(attemptJobId('a', 'r', 1));
    expect(attemptJobId('a', 'r', 1)).not.toBe(attemptJobId('a', 'r', 2));
    expect(attemptJobId('a', 'r', 1)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('zoned parsing of dates', () => {
    expect(parseInstant('2026-03-29', 'Europe/Berlin')).toBe(at('2026-03-28T23:00:00Z'));
    expect(parseInstant('2026-03-29T02:30', 'Europe/Berlin')).toBe(at('2026-03-29T01:30:00Z')); // in the gap: after it
    expect(parseInstant('2026-10-25T02:30', 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z')); // ambiguous: first
    expect(parseInstant('2026-01-01T00:00:00Z', 'Europe/Berlin')).toBe(at('2026-01-01T00:00:00Z'));
    expect(parseInstant('yesterday', 'UTC')).toBeUndefined();
    expect(zonedIso(at('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00Z');
  });
});

describe('RetryBackoff', () => {
  const policy = { attempts: 5, initialBackoff: 1000, multiplier: 2, maxBackoff: 5000, jitter: 0.1 };
  it('grows exponentially up to maxBackoff; jitter stays within ±jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, () => 0.5))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(retryDelay(policy, 1, () => 0)).toBe(900);
    expect(retryDelay(policy, 1, () => 0.999999)).toBe(1100);
  });
});

describe('ScheduleSpec', () => {
  const ok = 'name: daily-wc\njob: jobs/wc.ts\ncron: "0 2 * * *"\n';
  it('parses the API.md example with defaults', () => {
    const s = parseScheduleYaml(`${ok}timezone: Europe/Berlin\nstart: 2026-01-01T00:00:00Z\nargs: ["hdfs:///logs/dt={{ds}}"]\nretries: { attempts: 3, initialBackoff: 30 s, multiplier: 2, maxBackoff: 10 min }\ntimeout: 2 h\nstartingDeadline: 1 h\nwaitFor: ["hdfs:///logs/dt={{ds}}/_SUCCESS"]\nwaitTimeout: 6 h\nconfig: { parallelism.default: 4 }\n`, '/etc/schedules/daily.yaml');
    expect(s).toMatchObject({
      name: 'daily-wc', job: '/etc/schedules/jobs/wc.ts', timezone: 'Europe/Berlin', start: at('2026-01-01T00:00:00Z'), catchup: 'none', concurrencyPolicy: 'Forbid', maxActiveRuns: 1,
      retries: { attempts: 3, initialBackoff: 30_000, multiplier: 2, maxBackoff: 600_000, jitter: 0.1 }, timeout: 7_200_000, startingDeadline: 3_600_000, waitTimeout: 21_600_000,
      config: { 'parallelism.default': '4' },
    });
  });

  it('names the file, the field and the fix', () => {
    const bad = (text: string): string => { try { parseScheduleYaml(text, 's.yaml'); } catch (e) { expect(e).toBeInstanceOf(ScheduleSpecError); return (e as Error).message; } throw new Error('no error'); };
    expect(bad(`${ok}timezon: UTC\n`)).toMatch(/s\.yaml: unknown field 'timezon' \(did you mean 'timezone'\?\)/);
    expect(bad(`${ok}timezone: Mars/Olympus\n`)).toMatch(/'timezone': unknown time zone 'Mars\/Olympus'; use an IANA name/);
    expect(bad('name: x\njob: j.ts\ncron: "0 2 * *"\n')).toMatch(/'cron': '0 2 \* \*' has 4 fields/);
    expect(bad('name: x\njob: j.ts\n')).toMatch(/'cron' is missing/);
    expect(bad('name: Bad Name\njob: j.ts\ncron: "@daily"\n')).toMatch(/not a valid schedule name/);
    expect(bad(`${ok}concurrencyPolicy: Forbid\nmaxActiveRuns: 3\n`)).toMatch(/use concurrencyPolicy: Allow for maxActiveRuns 3/);
    expect(bad(`${ok}concurrencyPolicy: Sometimes\n`)).toMatch(/must be one of Allow \| Forbid \| Replace/);
    expect(bad(`${ok}timeout: soon\n`)).toMatch(/'timeout': invalid duration 'soon'/);
    expect(bad(`${ok}config: { execution.runtime-mode: STREAMING }\n`)).toMatch(/scheduled runs are BATCH jobs/);
    expect(bad(`${ok}config: { pipeline.global-job-parameters: "region" }\n`)).toMatch(/'config\.pipeline\.global-job-parameters': .*'region' is not key:value/);
    expect(bad(`${ok}args: ["{{dt}}"]\n`)).toMatch(/'args\[0\]': unknown template variable/);
    expect(bad(`${ok}start: 2026-02-30x\n`)).toMatch(/'start': .* is not a date/);
    expect(bad(`${ok}waitTimeout: 1 h\n`)).toMatch(/'waitFor' is empty/);
    expect(bad('name: [x\n')).toMatch(/not valid YAML/);
    expect(() => validateScheduleSpec([], 'POST /schedules')).toThrow(/a schedule is a YAML mapping/);
  });
});

describe('ScheduleSpec output', () => {
  const base = { name: 'x', job: '/j.ts', cron: '@daily' };
  it('needs {{output}} in the job args and a templated partition path', () => {
    expect(validateScheduleSpec({ ...base, args: ['{{output}}'], output: { path: 'hdfs:///t/dt={{ds}}' } }, 's').output).toEqual({ path: 'hdfs:///t/dt={{ds}}', successFile: '_SUCCESS' });
    expect(() => validateScheduleSpec({ ...base, args: ['/x'], output: { path: '/t/dt={{ds}}' } }, 's')).toThrow(/no arg or config value passes \{\{output\}\}/);
    expect(() => validateScheduleSpec({ ...base, args: ['{{output}}'] }, 's')).toThrow(/\{\{output\}\} is used but 'output' is not declared/);
    expect(() => validateScheduleSpec({ ...base, args: ['{{output}}'], output: { path: '/t/fixed' } }, 's')).toThrow(/templated per run/);
  });
});
