// Wall-clock time in an IANA time zone, through Intl (no time-zone library): the parts of an
// instant in a zone, ISO-8601 with the zone's offset, and local date-times back to instants.

export interface ZonedParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone name this Node knows ('UTC', 'Europe/Berlin', …). */
export function isValidTimeZone(timeZone: string): boolean {
  try { formatter(timeZone); return true; } catch { return false; }
}

export function zonedParts(epochMs: number, timeZone: string): ZonedParts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p['year']!, month: p['month']!, day: p['day']!, hour: p['hour']!, minute: p['minute']!, second: p['second']! };
}

/** Offset of the zone from UTC at this instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** YYYY-MM-DD of the instant in the zone (Airflow's `ds`). */
export function zonedDate(epochMs: number, timeZone: string): string {
  const p = zonedParts(epochMs, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** ISO-8601 with the zone's offset: 2026-03-29T00:00:00+01:00 ('Z' in UTC). */
export function zonedIso(epochMs: number, timeZone: string): string {
  const p = zonedParts(epochMs, timeZone);
  const off = zoneOffsetMs(epochMs, timeZone) / 60_000;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const tz = off === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${tz}`;
}

/** 20261207T000000Z: an instant in UTC, safe in file names (HDFS forbids ':') and URLs. */
export function compactUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * The instant a local wall-clock time has in the zone. A time in a spring-forward gap maps to the
 * instant just after the gap (as cron does); an ambiguous fall-back time to its first occurrence.
 */
export function localToEpoch(p: ZonedParts, timeZone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Offsets around the wall time: the earlier one first, so ambiguous times take their first occurrence.
  const candidates = [...new Set([zoneOffsetMs(wall - 86_400_000, timeZone), zoneOffsetMs(wall, timeZone), zoneOffsetMs(wall + 86_400_000, timeZone)])]
    .map((off) => wall - off)
    .sort((a, b) => a - b);
  for (const t of candidates) if (sameWall(t, p, timeZone)) return t;
  // In a gap: no instant shows this wall time; take the one the pre-gap offset gives, which lies after the gap.
  return wall - zoneOffsetMs(wall - 86_400_000, timeZone);
}

function sameWall(t: number, p: ZonedParts, timeZone: string): boolean {
  const q = zonedParts(t, timeZone);
  return q.year === p.year && q.month === p.month && q.day === p.day && q.hour === p.hour && q.minute === p.minute && q.second === p.second;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An instant from user input: ISO-8601 with 'Z' or an offset is taken as is; a date or a date-time
 * without an offset is wall-clock time in `timeZone` (a date = its midnight). Undefined if unparseable.
 */
export function parseInstant(text: string, timeZone: string): number | undefined {
  const s = text.trim();
  const m = LOCAL.exec(s);
  if (m) {
    const p = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) };
    if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
    return localToEpoch(p, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
