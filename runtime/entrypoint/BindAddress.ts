// Where a server listens, given the address it advertises. A server bound to 127.0.0.1 that
// advertises a routable host (or another loopback alias) is refused by every peer on another host,
// and the failure would surface only later, inside a job, as ECONNREFUSED; so a contradictory pair is
// rejected at start-up instead, naming both keys.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const WILDCARDS = new Set(['0.0.0.0', '::', '*']);

export interface BindRequest {
  /** The server, for messages: "JobManager RPC endpoint", "TaskManager data plane". */
  what: string;
  bindKey: string;
  /** The configured bind address, if any. */
  bind: string | undefined;
  advertisedKey: string;
  advertised: string;
}

export class BindAddressError extends Error {
  override readonly name = 'BindAddressError';
}

async function resolveAll(host: string, key: string, what: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch (e) {
    throw new BindAddressError(`${what}: ${key}=${host} does not resolve (${(e as Error).message}). Set ${key} to a host name or IP address of this machine that the other processes can reach.`, { cause: e });
  }
}

/**
 * The address to listen on: the bind key when set (checked against the advertised address),
 * otherwise the advertised host itself ('localhost' → 127.0.0.1; a name with several addresses →
 * all interfaces), so that whatever peers resolve the advertised host to is served.
 */
export async function resolveBindHost(r: BindRequest): Promise<string> {
  const advertised = await resolveAll(r.advertised, r.advertisedKey, r.what);
  if (r.bind === undefined || r.bind.trim() === '') {
    if (r.advertised === 'localhost') return '127.0.0.1';
    if (advertised.length === 1) return advertised[0]!;
    return advertised.every((a) => isIP(a) === 4) ? '0.0.0.0' : '::';
  }
  const bind = r.bind.trim();
  if (WILDCARDS.has(bind)) return bind === '*' ? '0.0.0.0' : bind;
  // listen(host) takes the first address a name resolves to; check that exact one.
  const [bound] = await resolveAll(bind, r.bindKey, r.what);
  if (advertised.includes(bound!)) return bound!;
  const shown = isIP(r.advertised) !== 0 ? r.advertised : `${r.advertised} (${advertised.join(', ')})`;
  throw new BindAddressError(
    `${r.what}: ${r.bindKey}=${bind} cannot serve the advertised address ${r.advertisedKey}=${shown}: ` +
    `processes connecting to ${r.advertised} would be refused. Unset ${r.bindKey} (the server then binds ${r.advertised}), ` +
    `set it to 0.0.0.0 (all interfaces), or set ${r.advertisedKey} to an address ${bind} serves.`);
}

/** "127.0.0.2:6123" / "[::1]:6123". */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
