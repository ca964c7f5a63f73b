// A set of configuration values (Flink's Configuration). Values are validated when they are set,
// so a bad value fails early with the key, the value, where it came from and what is allowed.
// Precedence is simply "last set wins": loadConfiguration applies file, then -D; code comes last.

import {
  convertValue,
  describeAllowed,
  findOption,
  formatValue,
  isKnownPrefixKey,
  registeredOptions,
  type ConfigOption,
} from './ConfigOption.js';
import type { ReadableConfig } from './ReadableConfig.js';
// Importing every option group registers all known keys before the first lookup.
import './allOptions.js';

export class ConfigurationError extends Error {
  readonly key: string;
  readonly value: unknown;
  readonly source?: string;
  /** What the key accepts ("an integer >= 1", "one of STREAMING, BATCH, AUTOMATIC"). */
  readonly allowed?: string;

  constructor(message: string, details: { key: string; value: unknown; source?: string; allowed?: string }) {
    super(message);
    this.name = 'ConfigurationError';
    this.key = details.key;
    this.value = details.value;
    if (details.source !== undefined) this.source = details.source;
    if (details.allowed !== undefined) this.allowed = details.allowed;
  }
}

/** Sources with a fixed meaning; any other source string is a file path. */
export const SOURCE_DYNAMIC = '-D';
export const SOURCE_CODE = 'code';

export function describeSource(source: string | undefined, key?: string, value?: unknown): string {
  if (source === undefined) return 'set programmatically';
  if (source === SOURCE_DYNAMIC) return key !== undefined ? `set by -D ${key}=${String(value)}` : 'set by -D';
  if (source === SOURCE_CODE) return 'set in code (env.configure / setters)';
  // Other command-line flags (--parallelism, --fromSavepoint) are named as such.
  if (source.startsWith('-')) return `set by ${source}${value !== undefined ? ` ${String(value)}` : ''}`;
  return `set in ${source}`;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

interface Entry {
  /** Canonical string form (known keys) or the raw value as given (unknown keys). */
  readonly raw: string;
  /** Parsed value; undefined for keys not known when they were set. */
  readonly value: unknown;
  readonly parsed: boolean;
  readonly source?: string;
  /** Set through a deprecated fallback key: an explicit canonical key of the same source wins. */
  readonly viaFallback: boolean;
}

export interface ConfigurationOptions {
  /** Receives warnings (unknown or deprecated keys); default console.warn. */
  onWarning?: (message: string) => void;
}

/**
 * Not structured-clone safe (it has methods): ship it to workers and other processes with
 * toMap() / Configuration.fromMap().
 */
export class Configuration implements ReadableConfig {
  private readonly entries = new Map<string, Entry>();
  private onWarning: (message: string) => void;

  constructor(opts: ConfigurationOptions = {}) {
    this.onWarning = opts.onWarning ?? ((m) => console.warn(m));
  }

  /** The value of `option`: the configured one, else its fallback keys, else the default. */
  get<T>(option: ConfigOption<T>): T {
    const v = this.getOptional(option);
    return v === undefined ? option.defaultValue : v;
  }

  /** The configured value, or undefined if neither the key nor a fallback key is set (defaults ignored). */
  getOptional<T>(option: ConfigOption<T>): T | undefined {
    for (const key of [option.key, ...(option.fallbackKeys ?? [])]) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (e.parsed) return e.value as T;
      // Stored before this option was known (e.g. an option defined by a module loaded later).
      return this.convert(option, e.raw, e.source) as T;
    }
    return undefined;
  }

  /** Sets a typed value from code; validated like any other value. */
  set<T>(option: ConfigOption<T>, value: T): this {
    if (value === undefined || value === null) {
      this.remove(option);
      return this;
    }
    this.store(option, this.convert(option, value, SOURCE_CODE), SOURCE_CODE, false);
    return this;
  }

  /** Parses and validates a string value; an unknown key is kept (and shipped) with a warning. */
  setString(key: string, value: string, source?: string): this {
    this.setRaw(key, value, source);
    return this;
  }

  /**
   * Sets many values (code-level `env.configure({...})`, or a parsed YAML document): strings are
   * parsed, numbers/booleans/arrays accepted where the type fits; nested objects are flattened.
   * null / undefined values are ignored.
   */
  setAll(values: Record<string, unknown>, source: string = SOURCE_CODE): this {
    for (const [key, value] of flattenConfig(values)) this.setRaw(key, value, source);
    return this;
  }

  /** Removes the option's key and its fallback keys. */
  remove(option: ConfigOption<unknown>): boolean {
    let removed = false;
    for (const key of [option.key, ...(option.fallbackKeys ?? [])]) removed = this.entries.delete(key) || removed;
    return removed;
  }

  /** True if `key` is set (for a known option, also when set through one of its fallback keys). */
  containsKey(key: string): boolean {
    if (this.entries.has(key)) return true;
    const found = findOption(key);
    return found !== undefined && [found.option.key, ...(found.option.fallbackKeys ?? [])].some((k) => this.entries.has(k));
  }

  /** The string form of a set key (a deprecated key finds its new name's value), or undefined. */
  getString(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e) return e.raw;
    const found = findOption(key);
    return found ? this.entries.get(found.option.key)?.raw : undefined;
  }

  /** Where a key's value came from (file path, '-D', 'code'), if set. */
  getSource(key: string): string | undefined {
    return this.entries.get(key)?.source;
  }

  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Canonical string form of every set key, for shipping to other processes. */
  toMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of this.keys()) out[key] = this.entries.get(key)!.raw;
    return out;
  }

  /** Rebuilds a configuration shipped with toMap(); warnings were already given where it was made. */
  static fromMap(map: Record<string, string>): Configuration {
    const conf = new Configuration({ onWarning: () => {} });
    for (const [k, v] of Object.entries(map)) conf.setRaw(k, v, 'shipped configuration');
    conf.onWarning = (m) => console.warn(m);
    return conf;
  }

  clone(): Configuration {
    const c = new Configuration({ onWarning: this.onWarning });
    for (const [k, e] of this.entries) c.entries.set(k, e);
    return c;
  }

  /** Copies every value of `other` over this one (other wins). */
  addAll(other: Configuration): this {
    for (const [k, e] of other.entries) this.entries.set(k, e);
    return this;
  }

  setWarningHandler(onWarning: (message: string) => void): this {
    this.onWarning = onWarning;
    return this;
  }

  // -------------------------------------------------------------------------------------------

  private setRaw(key: string, value: unknown, source: string | undefined): void {
    if (value === undefined || value === null) return;
    const found = findOption(key);
    if (!found) {
      if (!isKnownPrefixKey(key)) this.warnUnknown(key, source);
      const raw = typeof value === 'string' ? value : Array.isArray(value) ? value.map(String).join(';') : String(value);
      this.entries.set(key, { raw, value: undefined, parsed: false, viaFallback: false, ...(source !== undefined ? { source } : {}) });
      return;
    }
    const { option, viaFallback } = found;
    if (viaFallback) {
      this.onWarning(`WARN deprecated configuration key '${key}' in ${sourceName(source)} — use '${option.key}' instead`);
      const existing = this.entries.get(option.key);
      // Within one source the new key wins over the deprecated one regardless of order.
      if (existing && !existing.viaFallback && existing.source === source) return;
    }
    const parsed = this.convert(option, value, source, key);
    this.store(option, parsed, source, viaFallback);
  }

  private store(option: ConfigOption<unknown>, value: unknown, source: string | undefined, viaFallback: boolean): void {
    // Values are stored under the canonical key, so readers and toMap() never see deprecated names.
    for (const k of option.fallbackKeys ?? []) this.entries.delete(k);
    this.entries.set(option.key, {
      raw: formatValue(option, value),
      value,
      parsed: true,
      viaFallback,
      ...(source !== undefined ? { source } : {}),
    });
  }

  private convert(option: ConfigOption<unknown>, value: unknown, source: string | undefined, key: string = option.key): unknown {
    try {
      return convertValue(option, value);
    } catch (e) {
      const allowed = describeAllowed(option);
      const detail = e instanceof Error && /^invalid (duration|memory size)/.test(e.message) ? ` (${e.message})` : '';
      throw new ConfigurationError(
        `Invalid value ${showValue(value)} for configuration key '${key}' (${describeSource(source, key, value)}): expected ${allowed}${detail}`,
        { key, value, ...(source !== undefined ? { source } : {}), allowed },
      );
    }
  }

  private warnUnknown(key: string, source: string | undefined): void {
    const suggestion = suggestKey(key);
    this.onWarning(
      `WARN unknown configuration key '${key}' in ${sourceName(source)}` + (suggestion ? ` — did you mean '${suggestion}'?` : ' — it is ignored by tsflink'),
    );
  }
}

function sourceName(source: string | undefined): string {
  if (source === undefined) return 'configuration';
  if (source === SOURCE_DYNAMIC) return '-D';
  if (source === SOURCE_CODE) return 'code';
  return source;
}

/** Flattens nested maps into dotted keys: `{ parallelism: { default: 4 } }` → `parallelism.default`. */
export function flattenConfig(values: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(values)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      out.push(...flattenConfig(v as Record<string, unknown>, key));
    } else {
      out.push([key, v instanceof Date ? v.toISOString() : v]);
    }
  }
  return out;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest known key, if it is close enough to be a plausible typo. */
export function suggestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = key.toLowerCase();
  for (const o of registeredOptions()) {
    const d = editDistance(lower, o.key.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o.key;
    }
  }
  if (best !== undefined && bestD <= Math.max(3, Math.floor(key.length * 0.3))) return best;
  // A key missing its last segment ('parallelism' → 'parallelism.default').
  const extended = registeredOptions().find((o) => o.key.startsWith(`${key}.`));
  return extended?.key;
}
