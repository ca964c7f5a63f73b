import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RpcEndpoint } from './client.js';

/**
 * Minimal reader for Hadoop *-site.xml files (core-site.xml, yarn-site.xml):
 * <configuration><property><name>k</name><value>v</value></property>…</configuration>.
 * Remembers which file each key came from so errors can name it.
 */
export class HadoopSiteConfig {
  private readonly values = new Map<string, { value: string; source: string }>();

  /** Loads core-site.xml then yarn-site.xml from `confDir` (default: $HADOOP_CONF_DIR, then $YARN_CONF_DIR). Missing files are skipped. */
  static load(confDir: string | undefined = process.env['HADOOP_CONF_DIR'] ?? process.env['YARN_CONF_DIR']): HadoopSiteConfig {
    const c = new HadoopSiteConfig();
    if (confDir) {
      for (const f of ['core-site.xml', 'yarn-site.xml']) {
        const p = join(confDir, f);
        if (existsSync(p)) c.addXml(readFileSync(p, 'utf8'), p);
      }
    }
    return c;
  }

  /** Parses one site file's XML; later files override earlier ones unless a property is final (ignored here). */
  addXml(xml: string, source: string): this {
    const noComments = xml.replace(/<!--[\s\S]*?-->/g, '');
    const propRe = /<property\b[^>]*>([\s\S]*?)<\/property>/g;
    for (let m = propRe.exec(noComments); m; m = propRe.exec(noComments)) {
      const body = m[1]!;
      const name = tag(body, 'name');
      if (name === undefined) continue;
      this.values.set(name.trim(), { value: tag(body, 'value') ?? '', source });
    }
    return this;
  }

  set(key: string, value: string, source = 'programmatically'): this {
    this.values.set(key, { value, source });
    return this;
  }

  get(key: string): string | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : this.expand(v.value, 0);
  }

  /** Where a key's value came from (file path), if set. */
  source(key: string): string | undefined {
    return this.values.get(key)?.source;
  }

  /** Expands ${var} from other keys or the environment (Hadoop's variable substitution, depth-limited). */
  private expand(v: string, depth: number): string {
    if (depth > 20 || !v.includes('${')) return v;
    return v.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      const inner = name.startsWith('env.') ? process.env[name.slice(4)] : (this.values.get(name)?.value ?? process.env[name]);
      return inner === undefined ? whole : this.expand(inner, depth + 1);
    });
  }
}

function tag(body: string, name: string): string | undefined {
  const m = new RegExp(`<${name}\\s*>([\\s\\S]*?)</${name}\\s*>`).exec(body);
  if (!m) return undefined;
  return decodeXml(m[1]!.trim());
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_w, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

export const RM_ADDRESS_KEY = 'yarn.resourcemanager.address';
export const RM_SCHEDULER_ADDRESS_KEY = 'yarn.resourcemanager.scheduler.address';
export const RM_HOSTNAME_KEY = 'yarn.resourcemanager.hostname';

/** Parses `host:port` (IPv6 in brackets allowed). */
export function parseHostPort(s: string, defaultPort?: number): { host: string; port: number } {
  const t = s.trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:]+)(?::(\d+))?$/.exec(t);
  if (!m) throw new Error(`invalid host:port "${s}"`);
  const port = m[2] !== undefined ? Number(m[2]) : defaultPort;
  if (port === undefined || !Number.isInteger(port)) throw new Error(`no port in "${s}"`);
  return { host: m[1]!, port };
}

/**
 * Resolves an RM endpoint the way YarnConfiguration does: explicit key, else
 * `${yarn.resourcemanager.hostname}:<default port>` (hostname defaults to 0.0.0.0).
 * A wildcard host (0.0.0.0) is replaced by `localhostFallback` because it cannot be dialled.
 */
export function resolveRmEndpoint(conf: HadoopSiteConfig, key: string, defaultPort: number, localhostFallback = '127.0.0.1'): RpcEndpoint {
  const explicit = conf.get(key);
  let hostPort: { host: string; port: number };
  let source: string;
  if (explicit) {
    hostPort = parseHostPort(explicit, defaultPort);
    source = `${key} in ${conf.source(key)}`;
  } else {
    const hostname = conf.get(RM_HOSTNAME_KEY);
    hostPort = { host: hostname ?? '0.0.0.0', port: defaultPort };
    source = hostname ? `${RM_HOSTNAME_KEY} in ${conf.source(RM_HOSTNAME_KEY)} + default port ${defaultPort}` : `default ${key} (0.0.0.0:${defaultPort}; no yarn-site.xml value)`;
  }
  if (hostPort.host === '0.0.0.0') hostPort.host = localhostFallback;
  return { ...hostPort, source };
}

/** `yarn.resourcemanager.address` (default 0.0.0.0:8032). */
export function rmClientEndpoint(conf: HadoopSiteConfig = HadoopSiteConfig.load()): RpcEndpoint {
  return resolveRmEndpoint(conf, RM_ADDRESS_KEY, 8032);
}

/** `yarn.resourcemanager.scheduler.address` (default 0.0.0.0:8030). */
export function rmSchedulerEndpoint(conf: HadoopSiteConfig = HadoopSiteConfig.load()): RpcEndpoint {
  return resolveRmEndpoint(conf, RM_SCHEDULER_ADDRESS_KEY, 8030);
}
