// Loads <confDir>/config.yaml (Flink 2.x style, nested or flat keys) and applies -D overrides.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { Configuration, ConfigurationError, SOURCE_DYNAMIC } from './Configuration.js';
import { packageRoot } from './packageRoot.js';

export const CONFIG_FILE_NAME = 'config.yaml';

export interface LoadConfigurationOptions {
  confDir?: string;
  dynamicProperties?: Record<string, string>;
  onWarning?: (msg: string) => void;
}

/** opts.confDir ?? $TSFLINK_CONF_DIR ?? $FLINK_CONF_DIR ?? <package root>/conf */
export function resolveConfDir(confDir?: string): string {
  const dir = confDir ?? process.env['TSFLINK_CONF_DIR'] ?? process.env['FLINK_CONF_DIR'] ?? join(packageRoot(), 'conf');
  return resolve(dir);
}

/** Parses a config.yaml text into flat (dotted) keys; YAML errors name the file, line and column. */
export function parseConfigYaml(text: string, file: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new ConfigurationError(`Cannot parse ${where}: ${e.message.split('\n')[0]}`, { key: '', value: undefined, source: file });
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigurationError(`Cannot use ${file}: the top level must be a map of configuration keys`, { key: '', value: data, source: file });
  }
  return data as Record<string, unknown>;
}

/** defaults < config.yaml < -D (code-level values are applied later by the environment). */
export function loadConfiguration(opts: LoadConfigurationOptions = {}): Configuration {
  const conf = new Configuration(opts.onWarning ? { onWarning: opts.onWarning } : {});
  const file = join(resolveConfDir(opts.confDir), CONFIG_FILE_NAME);
  if (existsSync(file)) {
    conf.setAll(parseConfigYaml(readFileSync(file, 'utf8'), file), file);
  }
  for (const [k, v] of Object.entries(opts.dynamicProperties ?? {})) conf.setString(k, v, SOURCE_DYNAMIC);
  return conf;
}

/** Parses `-D key=value` arguments ('key=value' strings) into a map; throws on a missing '='. */
export function parseDynamicProperties(defs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs) {
    const i = d.indexOf('=');
    if (i <= 0) {
      throw new ConfigurationError(`Invalid -D argument '${d}': expected -D key=value (for example -D parallelism.default=4)`, {
        key: i === 0 ? '' : d,
        value: d,
        source: SOURCE_DYNAMIC,
      });
    }
    out[d.slice(0, i).trim()] = d.slice(i + 1);
  }
  return out;
}

/** Renders a configuration as a flat config.yaml (for shipping to YARN containers). */
export function configurationToYaml(conf: Configuration): string {
  return stringify(conf.toMap());
}
