// The REST client of the dashboard. Every path is relative (no leading slash), so the UI works at
// the JobManager's root and under YARN's web proxy (/proxy/<application id>/) alike.
// The bearer token (docs/web-ui.md) lives in this tab's sessionStorage and goes out as the
// Authorization header: no cookie, so no other site can make the browser act on the cluster.

const TOKEN_KEY = 'tsflink.rest-token';

export class RestError extends Error {
  constructor(readonly status: number, readonly errors: string[], readonly path: string) {
    super(errors.join('\n') || `HTTP ${status}`);
  }
}

type AuthListener = (message: string) => void;
const authListeners = new Set<AuthListener>();
/** Called with the server's message when a request was refused for want of a (valid) token. */
export function onAuthRequired(l: AuthListener): () => void { authListeners.add(l); return () => authListeners.delete(l); }

export function token(): string | null { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t.trim()); else sessionStorage.removeItem(TOKEN_KEY);
}

/** `#token=<t>` (or `#/page?token=<t>`) once: kept for the tab and removed from the address bar and history. */
export function takeTokenFromLocation(): void {
  const m = /(?:^#|[?&#])token=([^&]+)/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]!));
  const rest = location.hash.replace(/([?&#])token=[^&]+&?/, '$1').replace(/[?&]$/, '');
  history.replaceState(null, '', `${location.pathname}${location.search}${rest === '#' || rest === '' ? '#/overview' : rest}`);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** Turns an error answer into a RestError; a refused read asks for the token (a refused write, e.g. through YARN's proxy, just reports). */
async function check(res: Response, path: string, read = true): Promise<Response> {
  if (res.ok) return res;
  let errors: string[] = [];
  try {
    const body = (await res.json()) as { errors?: unknown };
    if (Array.isArray(body.errors)) errors = body.errors.map(String);
  } catch { errors = [`${res.status} ${res.statusText}`]; }
  if (res.status === 401 && read) for (const l of authListeners) l(errors.join(' '));
  throw new RestError(res.status, errors, path);
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await check(await fetch(path, { headers: headers({ accept: 'application/json' }) }), path);
  return (await res.json()) as T;
}

export async function getText(path: string): Promise<string> {
  const res = await check(await fetch(path, { headers: headers() }), path);
  return res.text();
}

export async function send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await check(await fetch(path, init), path, false);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export async function upload<T>(path: string, form: FormData): Promise<T> {
  const res = await check(await fetch(path, { method: 'POST', headers: headers(), body: form }), path, false);
  return (await res.json()) as T;
}
