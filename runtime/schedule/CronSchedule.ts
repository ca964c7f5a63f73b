// A cron expression in an IANA time zone, evaluated by croner (Vixie-cron semantics, optional
// seconds field, @hourly/@daily/@weekly/@monthly/@yearly). Instants are epoch ms.
import { Cron } from 'croner';

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export class CronSchedule {
  private constructor(readonly expression: string, readonly timeZone: string, private readonly cron: Cron) {}

  /** Throws with what is wrong and what is accepted. */
  static parse(expression: string, timeZone: string): CronSchedule {
    const expr = expression.trim();
    if (/^(CRON_)?TZ=/i.test(expr)) throw new Error(`'${expression}': give the time zone in 'timezone', not in the cron expression.`);
    if (expr.startsWith('@')) {
      if (!MACROS.has(expr.toLowerCase())) throw new Error(`'${expression}' is not a known macro; use one of ${[...MACROS].join(', ')}.`);
    } else {
      const fields = expr.split(/\s+/).length;
      if (fields !== 5 && fields !== 6) throw new Error(`'${expression}' has ${fields} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (seconds first).`);
    }
    let cron: Cron;
    try {
      cron = new Cron(expr.toLowerCase() === '@midnight' ? '@daily' : expr, { timezone: timeZone, paused: true });
    } catch (e) {
      throw new Error(`'${expression}' is not a valid cron expression: ${(e as Error).message}.`);
    }
    if (cron.nextRun(new Date(0)) === null) throw new Error(`'${expression}' never fires.`);
    return new CronSchedule(expr, timeZone, cron);
  }

  /** The first fire time strictly after `t`, or undefined if there is none. */
  nextAfter(t: number): number | undefined {
    // croner resolves to whole seconds: ask from the last whole second at or before t (and on, should it answer ≤ t).
    let from = Math.floor(t / 1000) * 1000;
    for (let i = 0; i < 16; i++) {
      const n = this.cron.nextRun(new Date(from))?.getTime();
      if (n === undefined) return undefined;
      if (n > t) return n;
      from = Math.max(from + 1000, n);
    }
    return undefined;
  }

  /** The last fire time at or before `t`, or undefined if none exists. */
  atOrBefore(t: number): number | undefined {
    const p = this.cron.previousRuns(1, new Date(t + 1000))[0]?.getTime();
    // croner's previousRuns and nextRun disagree next to a DST gap (previousRuns may answer a time
    // after the reference, or one nextRun never yields): its answer is kept only if nextRun agrees;
    // else the forward search below, from further and further back.
    if (p !== undefined && p <= t && this.nextAfter(p - 1) === p) {
      const n = this.nextAfter(p);
      if (n === undefined || n > t) return p;
    }
    for (const back of [3_600_000, 86_400_000, 32 * 86_400_000, 366 * 86_400_000, 5 * 366 * 86_400_000]) {
      let last: number | undefined;
      let steps = 0;
      for (let n = this.nextAfter(t - back); n !== undefined && n <= t && steps < 100_000; n = this.nextAfter(n), steps++) last = n;
      if (last !== undefined) return last;
    }
    return undefined;
  }

  /** The fire time at or after `t`. */
  atOrAfter(t: number): number | undefined {
    return this.nextAfter(t - 1);
  }
}
