// Internal TLS (security.ssl.internal.*, Flink's keys): mutual authentication and encryption on the
// TaskManager data plane. Peers must present a certificate the truststore holds; the
// cluster-secret handshake still runs inside the TLS session. Host names are not verified: as in
// Flink, an internal certificate is typically one self-signed certificate shared by every process.
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ReadableConfig } from '../configuration/ReadableConfig.js';
import { SecurityOptions } from '../configuration/index.js';
import type { InternalTlsOptions } from './InternalTlsContext.js';

export { type InternalTlsOptions, internalTls, setInternalTls } from './InternalTlsContext.js';

export class TlsConfigurationError extends Error {
  override readonly name = 'TlsConfigurationError';
}

function readKeyFile(key: string, path: string): Buffer {
  if (!existsSync(path)) throw new TlsConfigurationError(`${key}=${path}: no such file. Point it at a PKCS#12 (.p12/.pfx) or PEM file.`);
  return readFileSync(path);
}

/**
 * Reads security.ssl.internal.* (undefined when not enabled); a missing or unreadable store, a
 * wrong password or a bad protocol fails here, naming the key, rather than on the first connection.
 */
export function loadInternalTls(conf: ReadableConfig): InternalTlsOptions | undefined {
  if (!conf.get(SecurityOptions.SSL_INTERNAL_ENABLED)) return undefined;
  const ks = SecurityOptions.SSL_INTERNAL_KEYSTORE;
  const ts = SecurityOptions.SSL_INTERNAL_TRUSTSTORE;
  const keystore = conf.get(ks);
  const truststore = conf.get(ts);
  const enabled = SecurityOptions.SSL_INTERNAL_ENABLED.key;
  if (!keystore) throw new TlsConfigurationError(`${enabled}=true needs ${ks.key} (this process's certificate and key: PKCS#12 or PEM).`);
  if (!truststore) throw new TlsConfigurationError(`${enabled}=true needs ${ts.key} (PEM certificates that peers must present).`);
  const protocol = conf.get(SecurityOptions.SSL_PROTOCOL);
  if (protocol !== 'TLSv1.2' && protocol !== 'TLSv1.3') {
    throw new TlsConfigurationError(`${SecurityOptions.SSL_PROTOCOL.key}=${protocol} is not supported: use TLSv1.2 or TLSv1.3.`);
  }
  const data = readKeyFile(ks.key, keystore);
  const ca = readKeyFile(ts.key, truststore);
  const keyPassword = conf.get(SecurityOptions.SSL_INTERNAL_KEY_PASSWORD);
  const storePassword = conf.get(SecurityOptions.SSL_INTERNAL_KEYSTORE_PASSWORD);
  const pkcs12 = ['.p12', '.pfx'].includes(extname(keystore).toLowerCase()) || !data.toString('latin1').includes('-----BEGIN');
  const opts: InternalTlsOptions = pkcs12
    ? { pfx: data, ca, minVersion: protocol }
    : { key: data, cert: data, ca, minVersion: protocol };
  const passphrase = pkcs12 ? (storePassword ?? keyPassword) : keyPassword;
  if (passphrase !== undefined) opts.passphrase = passphrase;
  const ciphers = conf.get(SecurityOptions.SSL_ALGORITHMS);
  if (ciphers) opts.ciphers = ciphers.split(',').map((c) => c.trim()).filter(Boolean).join(':');
  try {
    createSecureContext(opts);
  } catch (e) {
    throw new TlsConfigurationError(`Internal TLS: cannot use ${ks.key}=${keystore} / ${ts.key}=${truststore}: ${(e as Error).message} ` +
      `(a wrong ${pkcs12 ? 'security.ssl.internal.keystore-password' : 'security.ssl.internal.key-password'}, or not a certificate and key?)`, { cause: e });
  }
  return opts;
}
