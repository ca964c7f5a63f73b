// Duration and memory-size parsing with Flink's unit names (TimeUtils / MemorySize).
// Durations are milliseconds as numbers everywhere in tsflink; memory sizes are bytes.

const DURATION_UNITS: ReadonlyArray<readonly [readonly string[], number]> = [
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 1e-6],
  [['us', 'µs', 'micro', 'micros', 'microsecond', 'microseconds'], 1e-3],
  [['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1_000],
  // Flink reads a bare 'm' as minutes in durations (not in memory sizes).
  [['m', 'min', 'mins', 'minute', 'minutes'], 60_000],
  [['h', 'hour', 'hours'], 3_600_000],
  [['d', 'day', 'days'], 86_400_000],
];

const MEMORY_UNITS: ReadonlyArray<readonly [readonly string[], number]> = [
  [['b', 'bytes', 'byte'], 1],
  [['k', 'kb', 'kib', 'kibibytes'], 1024],
  [['m', 'mb', 'mib', 'mebibytes'], 1024 ** 2],
  [['g', 'gb', 'gib', 'gibibytes'], 1024 ** 3],
  [['t', 'tb', 'tib', 'tebibytes'], 1024 ** 4],
];

const NUMBER_WITH_UNIT = /^([+]?\d+(?:\.\d+)?|[+]?\.\d+)\s*([a-zµ]*)$/i;

function lookup(units: ReadonlyArray<readonly [readonly string[], number]>, unit: string): number | undefined {
  const u = unit.toLowerCase();
  for (const [names, factor] of units) if (names.includes(u)) return factor;
  return undefined;
}

/** Parses '10 s', '100ms', '1 min', '2h', '1d' or a bare number (milliseconds) into milliseconds. */
export function parseDuration(s: string | number): number {
  if (typeof s === 'number') {
    if (!Number.isFinite(s) || s < 0) throw new Error(`invalid duration ${s}: must be a non-negative number of milliseconds`);
    return s;
  }
  const m = NUMBER_WITH_UNIT.exec(s.trim());
  if (!m) throw new Error(`invalid duration '${s}': expected a number with an optional unit, e.g. '100 ms', '10 s', '1 min', '2 h', '1 d'`);
  const factor = m[2] === '' ? 1 : lookup(DURATION_UNITS, m[2]!);
  if (factor === undefined) {
    throw new Error(`invalid duration '${s}': unknown time unit '${m[2]}' (use ms, s, min, h, d)`);
  }
  const ms = Number(m[1]) * factor;
  // Round away float noise from unit multiplication (e.g. 1.1 s) but keep sub-ms units meaningful.
  return Number.isInteger(ms) ? ms : Math.round(ms * 1e6) / 1e6;
}

/** Parses '1728m', '1g', '512 mb', '64kb' or a bare number (bytes) into bytes (1 kb = 1024 bytes, like Flink). */
export function parseMemorySize(s: string | number): number {
  if (typeof s === 'number') {
    if (!Number.isFinite(s) || s < 0) throw new Error(`invalid memory size ${s}: must be a non-negative number of bytes`);
    return Math.floor(s);
  }
  const m = NUMBER_WITH_UNIT.exec(s.trim());
  if (!m) throw new Error(`invalid memory size '${s}': expected a number with an optional unit, e.g. '64 kb', '512 mb', '1728m', '1 g'`);
  const factor = m[2] === '' ? 1 : lookup(MEMORY_UNITS, m[2]!);
  if (factor === undefined) {
    throw new Error(`invalid memory size '${s}': unknown unit '${m[2]}' (use b, kb, mb, gb, tb)`);
  }
  return Math.floor(Number(m[1]) * factor);
}

/** Formats milliseconds with the largest unit that divides it exactly ('10 s', '1 min', '250 ms'). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms)) return `${ms} ms`;
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1_000]] as const) {
    if (ms !== 0 && ms % f === 0) return `${ms / f} ${unit}`;
  }
  return `${ms} ms`;
}

/** Formats bytes with the largest binary unit that divides it exactly ('32 kb', '1728 mb'). */
export function formatMemorySize(bytes: number): string {
  for (const [unit, f] of [['tb', 1024 ** 4], ['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]] as const) {
    if (bytes !== 0 && bytes % f === 0) return `${bytes / f} ${unit}`;
  }
  return `${bytes} bytes`;
}
