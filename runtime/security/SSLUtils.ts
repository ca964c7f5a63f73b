// TLS settings from Flink's keys (Flink's SSLUtils). Internal TLS (security.ssl.internal.*): mutual
// authentication and encryption on JobManager RPC and the TaskManager data plane; peers must present
// a certificate the truststore holds, and the cluster-secret handshake still runs inside the TLS
// session. Host names are not verified there: as in Flink, an internal certificate is typically one
// self-signed certificate shared by every process. REST TLS (security.ssl.rest.*): HTTPS on the REST
// endpoint, optionally with client certificates; clients verify host names unless told not to.
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import type { ReadableConfig } from '../configuration/ReadableConfig.js';
import type { ConfigOption } from '../configuration/ConfigOption.js';
import { SecurityOptions } from '../configuration/index.js';
import type { InternalTlsOptions } from './InternalTlsContext.js';

export { type InternalTlsOptions, internalTls, setInternalTls } from './InternalTlsContext.js';

export class TlsConfigurationError extends Error {
  override readonly name = 'TlsConfigurationError';
}

/** A certificate + key as node:tls takes them. */
interface KeyMaterial { key?: Buffer; cert?: Buffer; pfx?: Buffer; passphrase?: string }

interface StoreKeys {
  what: string;
  keystore: ConfigOption<string | undefined>;
  keystorePassword: ConfigOption<string | undefined>;
  keyPassword: ConfigOption<string | undefined>;
}

function readKeyFile(key: string, path: string): Buffer {
  if (!existsSync(path)) throw new TlsConfigurationError(`${key}=${path}: no such file. Point it at a PKCS#12 (.p12/.pfx) or PEM file.`);
  return readFileSync(path);
}

function protocolOf(conf: ReadableConfig): SecureVersion {
  const protocol = conf.get(SecurityOptions.SSL_PROTOCOL);
  if (protocol !== 'TLSv1.2' && protocol !== 'TLSv1.3') {
    throw new TlsConfigurationError(`${SecurityOptions.SSL_PROTOCOL.key}=${protocol} is not supported: use TLSv1.2 or TLSv1.3.`);
  }
  return protocol;
}

function ciphersOf(conf: ReadableConfig): string | undefined {
  const ciphers = conf.get(SecurityOptions.SSL_ALGORITHMS);
  return ciphers ? ciphers.split(',').map((c) => c.trim()).filter(Boolean).join(':') : undefined;
}

/** The keystore at `keys.keystore` (PKCS#12 or PEM with both key and certificate), checked by building a context from it. */
function loadKeystore(conf: ReadableConfig, keys: StoreKeys, path: string, extra: { ca?: Buffer; minVersion: SecureVersion }): KeyMaterial {
  const data = readKeyFile(keys.keystore.key, path);
  const pkcs12 = ['.p12', '.pfx'].includes(extname(path).toLowerCase()) || !data.toString('latin1').includes('-----BEGIN');
  const m: KeyMaterial = pkcs12 ? { pfx: data } : { key: data, cert: data };
  const passphrase = pkcs12 ? (conf.get(keys.keystorePassword) ?? conf.get(keys.keyPassword)) : conf.get(keys.keyPassword);
  if (passphrase !== undefined) m.passphrase = passphrase;
  try {
    createSecureContext({ ...m, ...extra });
  } catch (e) {
    throw new TlsConfigurationError(`${keys.what}: cannot use ${keys.keystore.key}=${path}: ${(e as Error).message} ` +
      `(a wrong ${pkcs12 ? keys.keystorePassword.key : keys.keyPassword.key}, or not a certificate and key?)`, { cause: e });
  }
  return m;
}

const INTERNAL: StoreKeys = {
  what: 'Internal TLS', keystore: SecurityOptions.SSL_INTERNAL_KEYSTORE,
  keystorePassword: SecurityOptions.SSL_INTERNAL_KEYSTORE_PASSWORD, keyPassword: SecurityOptions.SSL_INTERNAL_KEY_PASSWORD,
};
const REST: StoreKeys = {
  what: 'REST TLS', keystore: SecurityOptions.SSL_REST_KEYSTORE,
  keystorePassword: SecurityOptions.SSL_REST_KEYSTORE_PASSWORD, keyPassword: SecurityOptions.SSL_REST_KEY_PASSWORD,
};

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
  const minVersion = protocolOf(conf);
  const ca = readKeyFile(ts.key, truststore);
  const opts: InternalTlsOptions = { ...loadKeystore(conf, INTERNAL, keystore, { ca, minVersion }), ca, minVersion };
  const ciphers = ciphersOf(conf);
  if (ciphers) opts.ciphers = ciphers;
  return opts;
}

/** node:https server options of the REST endpoint. */
export interface RestServerTlsOptions extends KeyMaterial {
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  minVersion: SecureVersion;
  ciphers?: string;
}

/** security.ssl.rest.* for the REST endpoint (undefined when not enabled). */
export function loadRestServerTls(conf: ReadableConfig): RestServerTlsOptions | undefined {
  if (!conf.get(SecurityOptions.SSL_REST_ENABLED)) return undefined;
  const enabled = SecurityOptions.SSL_REST_ENABLED.key;
  const keystore = conf.get(SecurityOptions.SSL_REST_KEYSTORE);
  if (!keystore) throw new TlsConfigurationError(`${enabled}=true needs ${SecurityOptions.SSL_REST_KEYSTORE.key} (the REST server's certificate and key: PKCS#12 or PEM).`);
  const mutual = conf.get(SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED);
  const truststore = conf.get(SecurityOptions.SSL_REST_TRUSTSTORE);
  if (mutual && !truststore) {
    throw new TlsConfigurationError(`${SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED.key}=true needs ${SecurityOptions.SSL_REST_TRUSTSTORE.key} (PEM certificates clients must present).`);
  }
  const minVersion = protocolOf(conf);
  const ca = mutual && truststore ? readKeyFile(SecurityOptions.SSL_REST_TRUSTSTORE.key, truststore) : undefined;
  const opts: RestServerTlsOptions = {
    ...loadKeystore(conf, REST, keystore, { ...(ca ? { ca } : {}), minVersion }),
    ...(ca ? { ca } : {}), requestCert: mutual, rejectUnauthorized: mutual, minVersion,
  };
  const ciphers = ciphersOf(conf);
  if (ciphers) opts.ciphers = ciphers;
  return opts;
}

/** node:https request options of a REST client. */
export interface RestClientTlsOptions extends KeyMaterial {
  ca?: Buffer;
  minVersion: SecureVersion;
  ciphers?: string;
  rejectUnauthorized: true;
  /** Present (a no-op) when security.ssl.verify-hostname is false. */
  checkServerIdentity?: () => undefined;
}

/** security.ssl.rest.* for a client of the REST endpoint (undefined when not enabled). */
export function loadRestClientTls(conf: ReadableConfig): RestClientTlsOptions | undefined {
  if (!conf.get(SecurityOptions.SSL_REST_ENABLED)) return undefined;
  const minVersion = protocolOf(conf);
  const truststore = conf.get(SecurityOptions.SSL_REST_TRUSTSTORE);
  const ca = truststore ? readKeyFile(SecurityOptions.SSL_REST_TRUSTSTORE.key, truststore) : undefined;
  let material: KeyMaterial = {};
  if (conf.get(SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED)) {
    const keystore = conf.get(SecurityOptions.SSL_REST_KEYSTORE);
    if (!keystore) {
      throw new TlsConfigurationError(`${SecurityOptions.SSL_REST_AUTHENTICATION_ENABLED.key}=true: the client needs ${SecurityOptions.SSL_REST_KEYSTORE.key} (the certificate and key it presents).`);
    }
    material = loadKeystore(conf, REST, keystore, { ...(ca ? { ca } : {}), minVersion });
  }
  const opts: RestClientTlsOptions = { ...material, ...(ca ? { ca } : {}), minVersion, rejectUnauthorized: true };
  if (!conf.get(SecurityOptions.SSL_VERIFY_HOSTNAME)) opts.checkServerIdentity = () => undefined;
  const ciphers = ciphersOf(conf);
  if (ciphers) opts.ciphers = ciphers;
  return opts;
}
