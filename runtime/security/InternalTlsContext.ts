// The process's internal TLS settings, read by the data plane (TcpServer, TcpClient). Kept free of
// imports: the data plane is also bundled into worker code, which must not pull in the configuration.
import type { SecureVersion } from 'node:tls';

/** What TcpServer (tls.createServer) and TcpClient (tls.connect) need. */
export interface InternalTlsOptions {
  key?: Buffer;
  cert?: Buffer;
  pfx?: Buffer;
  passphrase?: string;
  ca: Buffer;
  ciphers?: string;
  minVersion: SecureVersion;
}

let current: InternalTlsOptions | undefined;

/** The process's internal TLS settings, if enabled (set by the TaskManager at start-up). */
export function internalTls(): InternalTlsOptions | undefined { return current; }

/** Sets (or clears, with undefined) the process's internal TLS settings. */
export function setInternalTls(opts: InternalTlsOptions | undefined): void { current = opts; }

/** The OpenSSL / certificate error code of `e` (a wrong CA, host name, protocol), if it is one: not a refused or reset connection. */
export function tlsErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || code.includes('CERT')) ? code : undefined;
}
