// Resolves hdfs:// URIs to a WebHDFS endpoint from Hadoop's *-site.xml files and tsflink's config.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HadoopConfigurationError } from './errors.js';
import { expandVariables, parseHadoopXml } from './hadoopXml.js';

/** tsflink config keys read by the hdfs layer (see runtime/configuration/FileSystemOptions.ts). */
export const KEY_WEBHDFS_ADDRESS = 'fs.hdfs.webhdfs.address';
export const KEY_HADOOP_CONF_DIR = 'fs.hdfs.hadoopconf';
export const KEY_HDFS_USER = 'fs.hdfs.user';
export const KEY_RETRY_MAX_ATTEMPTS = 'fs.hdfs.retry.max-attempts';
export const KEY_RETRY_INITIAL_BACKOFF = 'fs.hdfs.retry.initial-backoff-ms';
export const KEY_RETRY_MAX_BACKOFF = 'fs.hdfs.retry.max-backoff-ms';
export const KEY_REQUEST_TIMEOUT = 'fs.hdfs.request-timeout-ms';
/** Hadoop keys given in tsflink's config with this prefix override the XML files (Flink's convention). */
export const HADOOP_KEY_PREFIX = 'flink.hadoop.';

const DEFAULT_NN_HTTP_PORT = 9870;

/** Reads a key from tsflink's config, flat ("a.b.c") or nested ({a:{b:{c}}}). */
export function confValue(conf: Record<string, unknown> | undefined, key: string): unknown {
  if (!conf) return undefined;
  if (key in conf) return conf[key];
  const parts = key.split('.');
  // Nested YAML maps: try every split point, e.g. fs → hdfs → webhdfs.address.
  const walk = (obj: unknown, i: number): unknown => {
    if (i === parts.length) return obj;
    if (obj === null || typeof obj !== 'object') return undefined;
    const rec = obj as Record<string, unknown>;
    for (let j = parts.length; j > i; j--) {
      const k = parts.slice(i, j).join('.');
      if (k in rec) {
        const v = walk(rec[k], j);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  };
  return walk(conf, 0);
}

export function confString(conf: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = confValue(conf, key);
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

export function confNumber(conf: Record<string, unknown> | undefined, key: string, dflt: number): number {
  const v = confValue(conf, key);
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'number' ? v : Number(String(v).trim().replace(/\s*ms$/, ''));
  if (!Number.isFinite(n) || n < 0) {
    throw new HadoopConfigurationError(`config key ${key} must be a non-negative number, got ${JSON.stringify(v)}`, '');
  }
  return n;
}

/** A loaded Hadoop configuration: core-site.xml + hdfs-site.xml (+ yarn-site.xml), with overrides. */
export class HadoopConfiguration {
  private readonly props = new Map<string, string>();
  /** Where each key came from, for error messages. */
  private readonly sources = new Map<string, string>();
  readonly confDir: string | undefined;

  constructor(confDir?: string) {
    this.confDir = confDir;
  }

  /** Loads the site files from `confDir` (missing files are skipped; a malformed one throws). */
  static load(confDir: string | undefined, overrides?: Record<string, string>): HadoopConfiguration {
    const c = new HadoopConfiguration(confDir);
    if (confDir) {
      if (!fs.existsSync(confDir)) {
        throw new HadoopConfigurationError(
          `Hadoop configuration directory ${confDir} does not exist; fix HADOOP_CONF_DIR or the config key ${KEY_HADOOP_CONF_DIR}`,
          confDir,
        );
      }
      for (const f of ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml']) {
        const p = path.join(confDir, f);
        if (fs.existsSync(p)) c.addXml(fs.readFileSync(p, 'utf8'), p);
      }
    }
    for (const [k, v] of Object.entries(overrides ?? {})) c.set(k, v, 'tsflink config');
    return c;
  }

  /** Loads from tsflink's config: fs.hdfs.hadoopconf, else $HADOOP_CONF_DIR; flink.hadoop.* keys override. */
  static fromConf(conf?: Record<string, unknown>): HadoopConfiguration {
    const dir = confString(conf, KEY_HADOOP_CONF_DIR) ?? process.env['HADOOP_CONF_DIR'] ?? undefined;
    const overrides: Record<string, string> = {};
    for (const [k, v] of Object.entries(conf ?? {})) {
      if (k.startsWith(HADOOP_KEY_PREFIX) && v !== undefined && v !== null) overrides[k.slice(HADOOP_KEY_PREFIX.length)] = String(v);
    }
    return HadoopConfiguration.load(dir || undefined, overrides);
  }

  addXml(xml: string, source: string): void {
    for (const p of parseHadoopXml(xml, source)) {
      // A final property from an earlier file cannot be overridden (Hadoop semantics).
      if (this.sources.get(p.name)?.endsWith('(final)')) continue;
      this.set(p.name, p.value, p.final ? `${source} (final)` : source);
    }
  }

  set(key: string, value: string, source = 'code'): void {
    this.props.set(key, value);
    this.sources.set(key, source);
  }

  /** Value with ${var} expansion, or undefined. */
  get(key: string): string | undefined {
    const raw = this.props.get(key);
    if (raw === undefined) return undefined;
    return expandVariables(raw, (n) => (n === 'user.name' ? os.userInfo().username : this.props.get(n)));
  }

  source(key: string): string | undefined {
    return this.sources.get(key);
  }

  /** "key (from file)" for messages. */
  describe(key: string): string {
    const s = this.sources.get(key);
    return s ? `${key} (from ${s})` : key;
  }

  keys(): string[] {
    return [...this.props.keys()];
  }
}

export interface WebHdfsEndpoint {
  /** e.g. http://127.0.0.1:9870 (no trailing slash). */
  baseUrl: string;
  /** NameNode authority as used in hdfs:// URIs (host:port), for qualifying paths. */
  authority: string;
  /** The config key that decided `baseUrl` (named in NameNodeUnreachableError). */
  configKey: string;
  /** Human-readable origin of that key (file or tsflink config). */
  configSource: string;
}

function withScheme(address: string, scheme: string): string {
  const a = address.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(a) ? a : `${scheme}://${a}`;
}

/** Splits hdfs://authority/path (or another scheme's, e.g. webhdfs); authority may be empty (hdfs:///p). */
export function parseHdfsUri(uri: string, scheme = 'hdfs'): { authority: string; path: string } | undefined {
  if (uri.slice(0, scheme.length + 3).toLowerCase() !== `${scheme}://`) return undefined;
  const m = /^[a-z]+:\/\/([^/?#]*)(\/[^?#]*)?/i.exec(uri);
  if (!m) return undefined;
  return { authority: m[1] ?? '', path: decodeURIComponent(m[2] ?? '/') || '/' };
}

function hostOf(authority: string): string {
  const i = authority.lastIndexOf(':');
  return i > 0 && !authority.endsWith(']') ? authority.slice(0, i) : authority;
}

/**
 * Finds the WebHDFS endpoint for an hdfs:// URI.
 * Order: tsflink's fs.hdfs.webhdfs.address, then the Hadoop conf (fs.defaultFS for hdfs:///,
 * dfs.namenode.http-address[.<ns>[.<nn>]]), then <host>:9870.
 */
export function resolveWebHdfsEndpoint(uri: string, conf?: Record<string, unknown>, hadoop?: HadoopConfiguration): WebHdfsEndpoint {
  const parsed = parseHdfsUri(uri);
  if (!parsed) throw new HadoopConfigurationError(`not an hdfs:// URI: ${uri}`, uri);
  const explicit = confString(conf, KEY_WEBHDFS_ADDRESS);
  const hc = hadoop ?? HadoopConfiguration.fromConf(conf);
  let authority = parsed.authority;
  if (!authority) {
    const dfs = hc.get('fs.defaultFS') ?? hc.get('fs.default.name');
    const d = dfs ? parseHdfsUri(dfs) : undefined;
    if (d?.authority) authority = d.authority;
    else if (!explicit) {
      throw new HadoopConfigurationError(
        `${uri} has no NameNode address and fs.defaultFS is ${dfs ? `"${dfs}" (not hdfs://)` : 'not set'}` +
          `${hc.confDir ? ` in ${hc.confDir}/core-site.xml` : ' (no HADOOP_CONF_DIR / fs.hdfs.hadoopconf given)'}; ` +
          `write hdfs://namenode:port/path, set fs.defaultFS, or set ${KEY_WEBHDFS_ADDRESS}`,
        uri,
      );
    }
  }
  if (explicit) {
    return { baseUrl: withScheme(explicit, 'http'), authority: authority || hostOf(explicit.replace(/^[a-z]+:\/\//i, '')), configKey: KEY_WEBHDFS_ADDRESS, configSource: 'tsflink config' };
  }

  const https = (hc.get('dfs.http.policy') ?? 'HTTP_ONLY').toUpperCase() === 'HTTPS_ONLY';
  const httpKey = https ? 'dfs.namenode.https-address' : 'dfs.namenode.http-address';
  const scheme = https ? 'https' : 'http';
  const host = hostOf(authority);

  // Logical nameservice (HA or federation): the authority has no port and names a nameservice.
  const nameservices = (hc.get('dfs.nameservices') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (nameservices.includes(authority)) {
    const nns = (hc.get(`dfs.ha.namenodes.${authority}`) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (nns.length > 1) {
      throw new HadoopConfigurationError(
        `HDFS nameservice "${authority}" is an HA nameservice with NameNodes ${nns.join(', ')} (${hc.describe(`dfs.ha.namenodes.${authority}`)}); ` +
          `NameNode HA failover is not supported yet by tsflink's WebHDFS client. Point ${KEY_WEBHDFS_ADDRESS} at the active NameNode's HTTP address, e.g. http://nn1:9870`,
        uri,
      );
    }
    const key = nns.length === 1 ? `${httpKey}.${authority}.${nns[0]}` : `${httpKey}.${authority}`;
    const addr = hc.get(key);
    if (!addr) {
      throw new HadoopConfigurationError(`nameservice "${authority}" has no ${key} in ${hc.confDir ?? 'the Hadoop configuration'}; set it or ${KEY_WEBHDFS_ADDRESS}`, uri);
    }
    return { baseUrl: withScheme(addr, scheme), authority, configKey: key, configSource: hc.source(key) ?? 'Hadoop configuration' };
  }

  const addr = hc.get(httpKey);
  if (addr) {
    // The configured HTTP address belongs to the configured NameNode; only use it for that NameNode.
    const rpc = hc.get('dfs.namenode.rpc-address') ?? parseHdfsUri(hc.get('fs.defaultFS') ?? '')?.authority;
    const sameNn = !parsed.authority || !rpc || hostOf(rpc) === host || rpc === authority;
    if (sameNn) {
      let a = addr;
      // A wildcard bind address means "same host as the RPC address".
      if (/^0\.0\.0\.0:|^\[::\]:/.test(a)) a = `${host}:${a.slice(a.lastIndexOf(':') + 1)}`;
      return { baseUrl: withScheme(a, scheme), authority, configKey: httpKey, configSource: hc.source(httpKey) ?? 'Hadoop configuration' };
    }
  }
  return {
    baseUrl: `${scheme}://${host}:${DEFAULT_NN_HTTP_PORT}`,
    authority,
    configKey: `${KEY_WEBHDFS_ADDRESS} (or ${httpKey} in hdfs-site.xml)`,
    configSource: `default port ${DEFAULT_NN_HTTP_PORT}`,
  };
}

/** user.name for WebHDFS: fs.hdfs.user, else $HADOOP_USER_NAME, else the OS user. */
export function resolveHdfsUser(conf?: Record<string, unknown>): string {
  return confString(conf, KEY_HDFS_USER) ?? process.env['HADOOP_USER_NAME'] ?? os.userInfo().username;
}

/**
 * Endpoint for a webhdfs:// URI, whose authority is the NameNode's HTTP address itself (Hadoop's
 * convention; port 9870 if omitted). webhdfs:///p uses fs.hdfs.webhdfs.address, else a webhdfs://
 * fs.defaultFS, else the HTTP address of the hdfs:// fs.defaultFS NameNode.
 */
export function resolveWebHdfsUriEndpoint(uri: string, conf?: Record<string, unknown>, hadoop?: HadoopConfiguration): WebHdfsEndpoint {
  const parsed = parseHdfsUri(uri, 'webhdfs');
  if (!parsed) throw new HadoopConfigurationError(`not a webhdfs:// URI: ${uri}`, uri);
  const fromAuthority = (a: string, configKey: string, configSource: string): WebHdfsEndpoint => {
    const authority = /:\d+$/.test(a) ? a : `${a}:${DEFAULT_NN_HTTP_PORT}`;
    return { baseUrl: `http://${authority}`, authority, configKey, configSource };
  };
  if (parsed.authority) return fromAuthority(parsed.authority, 'the webhdfs:// URI', uri);
  const explicit = confString(conf, KEY_WEBHDFS_ADDRESS);
  if (explicit) return fromAuthority(explicit.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, ''), KEY_WEBHDFS_ADDRESS, 'tsflink config');
  const hc = hadoop ?? HadoopConfiguration.fromConf(conf);
  const dfs = hc.get('fs.defaultFS') ?? '';
  const web = parseHdfsUri(dfs, 'webhdfs');
  if (web?.authority) return fromAuthority(web.authority, 'fs.defaultFS', hc.source('fs.defaultFS') ?? 'Hadoop configuration');
  if (!parseHdfsUri(dfs)?.authority) {
    throw new HadoopConfigurationError(
      `${uri} has no NameNode HTTP address and fs.defaultFS is ${dfs ? `"${dfs}" (neither hdfs:// nor webhdfs://)` : 'not set'}; ` +
        `write webhdfs://namenode:9870/path, set fs.defaultFS, or set ${KEY_WEBHDFS_ADDRESS}`,
      uri,
    );
  }
  const viaRpc = resolveWebHdfsEndpoint('hdfs:///', conf, hc);
  return { ...viaRpc, authority: viaRpc.baseUrl.replace(/^[a-z]+:\/\//i, '') };
}
