// Display formats of the dashboard (Flink's humanizeDuration / humanizeBytes pipes).

export function duration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || ms < 0 || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${sec}s`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

export function bytes(n: number | undefined | null): string {
  if (n === undefined || n === null || n < 0 || !Number.isFinite(n)) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function count(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US');
}

export function time(ts: number | undefined | null): string {
  if (ts === undefined || ts === null || ts <= 0) return '-';
  const d = new Date(ts);
  const p = (x: number, w = 2): string => String(x).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Watermarks are epoch millis. tsflink's MIN_WATERMARK is Number.MIN_SAFE_INTEGER (Flink's
 * Long.MIN_VALUE): "No Watermark", as in Flink; MAX_WATERMARK (end of input) shows as such.
 */
export function watermark(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v) || v <= Number.MIN_SAFE_INTEGER) return 'No Watermark';
  if (v >= Number.MAX_SAFE_INTEGER) return 'End of input';
  return `${time(v)}.${String(Math.abs(v) % 1000).padStart(3, '0')}`;
}

/** A metric value as REST gives it (a string): numbers with at most 3 decimals, the rest as is. */
export function metricValue(v: string | undefined): string {
  if (v === undefined) return '-';
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || Number.isInteger(n)) return v;
  return String(Math.round(n * 1000) / 1000);
}
