import { Window, type WindowSerializer } from './Window.js';

/** A window of time [start, end): end is exclusive, maxTimestamp() = end - 1 (Flink's TimeWindow). */
export class TimeWindow extends Window {
  constructor(readonly start: number, readonly end: number) { super(); }

  getStart(): number { return this.start; }
  getEnd(): number { return this.end; }
  maxTimestamp(): number { return this.end - 1; }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  /** True when the windows overlap or touch: such session windows merge. */
  intersects(other: TimeWindow): boolean { return this.start <= other.end && this.end >= other.start; }

  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow { return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end)); }

  override toString(): string { return `TimeWindow{start=${this.start}, end=${this.end}}`; }

  /**
   * Start of the window of `size` (shifted by `offset`) that contains `timestamp`; correct for
   * negative timestamps too (Flink's TimeWindow.getWindowStartWithOffset).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    // Handle both positive and negative cases (JS % keeps the dividend's sign, as Java's does).
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping windows (Flink's TimeWindow.mergeWindows): sorted by start, each run of
   * intersecting windows becomes their cover; `callback` gets every run of two or more.
   */
  static mergeWindows(windows: Iterable<TimeWindow>, callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    const merged: Array<{ cover: TimeWindow; members: TimeWindow[] }> = [];
    let current: { cover: TimeWindow; members: TimeWindow[] } | null = null;
    for (const candidate of sorted) {
      if (current === null) {
        current = { cover: candidate, members: [candidate] };
      } else if (current.cover.intersects(candidate)) {
        current.cover = current.cover.cover(candidate);
        if (!current.members.some((m) => m.equals(candidate))) current.members.push(candidate);
      } else {
        merged.push(current);
        current = { cover: candidate, members: [candidate] };
      }
    }
    if (current !== null) merged.push(current);
    for (const m of merged) if (m.members.length > 1) callback(m.members, m.cover);
  }

  static readonly serializer: WindowSerializer<TimeWindow> = {
    toKey: (w) => namespaceKey(w.start, w.end),
    fromKey: (k) => {
      const i = k.indexOf(',');
      const start = Number(k.slice(0, i)), end = Number(k.slice(i + 1));
      if (i < 0 || !Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`Window state is corrupt: '${k}' is not a TimeWindow (expected 'start,end').`);
      return new TimeWindow(start, end);
    },
  };
}

// A direct-mapped cache of namespace keys. Assigners make new window objects for every element, and
// the live windows are few: a window's key is then built once, not per element (number-to-string
// conversion and its garbage dominated windowed jobs), and V8 keeps the cached string's hash for the
// state maps it indexes.
const CACHE_BITS = 12;
const cacheStart = new Float64Array(1 << CACHE_BITS).fill(NaN);
const cacheEnd = new Float64Array(1 << CACHE_BITS);
const cacheKey: string[] = new Array<string>(1 << CACHE_BITS).fill('');

function namespaceKey(start: number, end: number): string {
  const i = Math.imul((start | 0) ^ Math.imul(end | 0, 0x9e3779b1), 0x85ebca6b) >>> (32 - CACHE_BITS);
  if (cacheStart[i] === start && cacheEnd[i] === end) return cacheKey[i]!;
  const k = `${start},${end}`;
  cacheStart[i] = start; cacheEnd[i] = end; cacheKey[i] = k;
  return k;
}
