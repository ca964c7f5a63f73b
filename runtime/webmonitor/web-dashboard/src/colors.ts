// Job graph node colours as Flink's dashboard draws them (FLINK-14814): from idle blue, blended
// toward red by the busy share, then toward grey/black by the back-pressured share.

export interface NodeColors { background: string; border: string }

const IDLE: NodeColors = { background: '#5db1ff', border: '#1890ff' };
const BUSY: NodeColors = { background: '#ee6464', border: '#ee2222' };
const BACKPRESSURED: NodeColors = { background: '#888888', border: '#000000' };

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `from` moved toward `to` by `t` (0..1), as #rrggbb. */
export function blend(from: string, to: string, t: number): string {
  const k = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const a = rgb(from), b = rgb(to);
  return `#${a.map((x, i) => Math.round(x + (b[i]! - x) * k).toString(16).padStart(2, '0')).join('')}`;
}

/** Flink's percentage of a *TimeMsPerSecond metric: min(round(ms / 10), 100); NaN (no data) is 0. */
export function percentOfSecond(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return 0;
  return Math.min(Math.round(ms / 10), 100);
}

/** `busy` and `backPressured` in percent (0..100). */
export function nodeColors(busy: number, backPressured: number): NodeColors {
  const b = busy / 100, bp = backPressured / 100;
  return {
    background: blend(blend(IDLE.background, BUSY.background, b), BACKPRESSURED.background, bp),
    border: blend(blend(IDLE.border, BUSY.border, b), BACKPRESSURED.border, bp),
  };
}
