// Typed configuration options (Flink's ConfigOption) and the registry of every known key.
// Option constants register themselves on definition, so `Configuration` can validate a key
// it has never seen in code, warn about unknown keys, and suggest the closest known one.

import { formatDuration, formatMemorySize, parseDuration, parseMemorySize } from './units.js';

export type ConfigOptionType = 'int' | 'number' | 'boolean' | 'string' | 'duration' | 'memory' | 'enum' | 'list';

export interface ConfigOption<T> {
  readonly key: string;
  readonly type: ConfigOptionType;
  readonly defaultValue: T;
  readonly description: string;
  /** Allowed values of an enum option (matched case-insensitively, stored in this spelling). */
  readonly allowed?: readonly string[];
  /** Older key names read when the key itself is not set (a warning says to rename them). */
  readonly fallbackKeys?: readonly string[];
  /** Inclusive numeric bounds for int / number / duration / memory options. */
  readonly min?: number;
  readonly max?: number;
}

/** The registry is keyed by canonical key; fallback keys map to their canonical option. */
const registry = new Map<string, ConfigOption<unknown>>();
const fallbackIndex = new Map<string, ConfigOption<unknown>>();
/** Key prefixes whose sub-keys are free-form (environment variables, reporter settings…). */
const knownPrefixes = new Set<string>();

/** Registers an option; defining the same key twice with the same type is harmless (first wins). */
export function registerOption<T>(option: ConfigOption<T>): ConfigOption<T> {
  const existing = registry.get(option.key);
  if (existing) {
    if (existing.type !== option.type) {
      throw new Error(`configuration key '${option.key}' defined twice with different types (${existing.type}, ${option.type})`);
    }
    return existing as ConfigOption<T>;
  }
  registry.set(option.key, option as ConfigOption<unknown>);
  for (const k of option.fallbackKeys ?? []) fallbackIndex.set(k, option as ConfigOption<unknown>);
  return option;
}

/** Declares that any key starting with `prefix` (e.g. 'containerized.taskmanager.env.') is valid. */
export function registerKnownPrefix(prefix: string): void {
  knownPrefixes.add(prefix);
}

/** The option whose key (or a fallback key) is `key`, if any. */
export function findOption(key: string): { option: ConfigOption<unknown>; viaFallback: boolean } | undefined {
  const o = registry.get(key);
  if (o) return { option: o, viaFallback: false };
  const f = fallbackIndex.get(key);
  return f ? { option: f, viaFallback: true } : undefined;
}

export function isKnownPrefixKey(key: string): boolean {
  for (const p of knownPrefixes) if (key.startsWith(p) && key.length > p.length) return true;
  return false;
}

export function registeredOptions(): ConfigOption<unknown>[] {
  return [...registry.values()].sort((a, b) => a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------------------------------------
// Definition helpers. With a `defaultValue` the option's type is T, without it T | undefined.

interface BaseSpec {
  description: string;
  fallbackKeys?: readonly string[];
}
interface NumericSpec extends BaseSpec {
  min?: number;
  max?: number;
}

function define<T>(key: string, type: ConfigOptionType, spec: BaseSpec & { defaultValue?: unknown; min?: number; max?: number; allowed?: readonly string[] }): ConfigOption<T> {
  const option: ConfigOption<T> = {
    key,
    type,
    defaultValue: spec.defaultValue as T,
    description: spec.description,
    ...(spec.allowed ? { allowed: spec.allowed } : {}),
    ...(spec.fallbackKeys ? { fallbackKeys: spec.fallbackKeys } : {}),
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
  };
  return registerOption(option);
}

export function intOption(key: string, spec: NumericSpec & { defaultValue: number }): ConfigOption<number>;
export function intOption(key: string, spec: NumericSpec): ConfigOption<number | undefined>;
export function intOption(key: string, spec: NumericSpec & { defaultValue?: number }): ConfigOption<number | undefined> {
  return define(key, 'int', spec);
}

export function numberOption(key: string, spec: NumericSpec & { defaultValue: number }): ConfigOption<number>;
export function numberOption(key: string, spec: NumericSpec): ConfigOption<number | undefined>;
export function numberOption(key: string, spec: NumericSpec & { defaultValue?: number }): ConfigOption<number | undefined> {
  return define(key, 'number', spec);
}

export function booleanOption(key: string, spec: BaseSpec & { defaultValue: boolean }): ConfigOption<boolean>;
export function booleanOption(key: string, spec: BaseSpec): ConfigOption<boolean | undefined>;
export function booleanOption(key: string, spec: BaseSpec & { defaultValue?: boolean }): ConfigOption<boolean | undefined> {
  return define(key, 'boolean', spec);
}

export function stringOption(key: string, spec: BaseSpec & { defaultValue: string }): ConfigOption<string>;
export function stringOption(key: string, spec: BaseSpec): ConfigOption<string | undefined>;
export function stringOption(key: string, spec: BaseSpec & { defaultValue?: string }): ConfigOption<string | undefined> {
  return define(key, 'string', spec);
}

/** Duration in milliseconds ('10 s', '1 min', bare numbers are ms). */
export function durationOption(key: string, spec: NumericSpec & { defaultValue: number }): ConfigOption<number>;
export function durationOption(key: string, spec: NumericSpec): ConfigOption<number | undefined>;
export function durationOption(key: string, spec: NumericSpec & { defaultValue?: number }): ConfigOption<number | undefined> {
  return define(key, 'duration', spec);
}

/** Memory size in bytes ('64 kb', '1728m', bare numbers are bytes). */
export function memoryOption(key: string, spec: NumericSpec & { defaultValue: number }): ConfigOption<number>;
export function memoryOption(key: string, spec: NumericSpec): ConfigOption<number | undefined>;
export function memoryOption(key: string, spec: NumericSpec & { defaultValue?: number }): ConfigOption<number | undefined> {
  return define(key, 'memory', spec);
}

export function enumOption<E extends string>(key: string, spec: BaseSpec & { values: readonly E[]; defaultValue: E }): ConfigOption<E>;
export function enumOption<E extends string>(key: string, spec: BaseSpec & { values: readonly E[] }): ConfigOption<E | undefined>;
export function enumOption<E extends string>(key: string, spec: BaseSpec & { values: readonly E[]; defaultValue?: E }): ConfigOption<E | undefined> {
  return define(key, 'enum', { ...spec, allowed: spec.values });
}

/** A list of strings: a YAML sequence, or a string separated by ';' (Flink) or ','. */
export function listOption(key: string, spec: BaseSpec & { defaultValue: readonly string[] }): ConfigOption<readonly string[]>;
export function listOption(key: string, spec: BaseSpec): ConfigOption<readonly string[] | undefined>;
export function listOption(key: string, spec: BaseSpec & { defaultValue?: readonly string[] }): ConfigOption<readonly string[] | undefined> {
  return define(key, 'list', spec);
}

// ---------------------------------------------------------------------------------------------
// Value conversion. `convertValue` throws a plain Error whose message says what is allowed;
// Configuration wraps it into a ConfigurationError with key, value and source.

/** Human-readable description of what an option accepts. */
export function describeAllowed(option: ConfigOption<unknown>): string {
  const range = (unit: (n: number) => string): string => {
    if (option.min !== undefined && option.max !== undefined) return ` between ${unit(option.min)} and ${unit(option.max)}`;
    if (option.min !== undefined) return ` >= ${unit(option.min)}`;
    if (option.max !== undefined) return ` <= ${unit(option.max)}`;
    return '';
  };
  switch (option.type) {
    case 'int': return `an integer${range(String)}`;
    case 'number': return `a number${range(String)}`;
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'duration': return `a duration such as '100 ms', '10 s', '1 min', '2 h' (a bare number is milliseconds)${range(formatDuration)}`;
    case 'memory': return `a memory size such as '64 kb', '512 mb', '1728m', '1 g' (a bare number is bytes)${range(formatMemorySize)}`;
    case 'enum': return `one of ${(option.allowed ?? []).join(', ')}`;
    case 'list': return `a list (YAML sequence, or values separated by ';')`;
  }
}

function checkRange(option: ConfigOption<unknown>, n: number): void {
  if ((option.min !== undefined && n < option.min) || (option.max !== undefined && n > option.max)) {
    throw new Error(`out of range`);
  }
}

/**
 * Converts a raw value (string from YAML/-D, or a number/boolean/array from YAML or code)
 * into the option's typed value. Throws on anything not allowed.
 */
export function convertValue(option: ConfigOption<unknown>, raw: unknown): unknown {
  const str = typeof raw === 'string' ? raw.trim() : undefined;
  switch (option.type) {
    case 'int':
    case 'number': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (str !== undefined && str !== '' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(str)) n = Number(str);
      else throw new Error('not a number');
      if (!Number.isFinite(n) || (option.type === 'int' && !Number.isInteger(n))) throw new Error('not an integer');
      checkRange(option, n);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (str !== undefined && /^(true|false)$/i.test(str)) return str.toLowerCase() === 'true';
      throw new Error('not a boolean');
    }
    case 'string': {
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
      throw new Error('not a string');
    }
    case 'duration':
    case 'memory': {
      if (typeof raw !== 'number' && str === undefined) throw new Error('wrong type');
      const v = option.type === 'duration' ? parseDuration(typeof raw === 'number' ? raw : str!) : parseMemorySize(typeof raw === 'number' ? raw : str!);
      checkRange(option, v);
      return v;
    }
    case 'enum': {
      const s = typeof raw === 'string' ? str! : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
      const match = s === undefined ? undefined : (option.allowed ?? []).find((a) => a.toLowerCase() === s.toLowerCase());
      if (match === undefined) throw new Error('not an allowed value');
      return match;
    }
    case 'list': {
      if (Array.isArray(raw)) {
        return raw.map((x) => {
          if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x).trim();
          throw new Error('list items must be strings');
        }).filter((x) => x !== '');
      }
      if (str !== undefined) {
        const sep = str.includes(';') ? ';' : ',';
        return str.split(sep).map((x) => x.trim()).filter((x) => x !== '');
      }
      throw new Error('not a list');
    }
  }
}

/** Canonical string form of a typed value; `convertValue(option, formatValue(option, v))` gives v back. */
export function formatValue(option: ConfigOption<unknown>, value: unknown): string {
  switch (option.type) {
    case 'duration': return formatDuration(value as number);
    case 'memory': return formatMemorySize(value as number);
    case 'list': return (value as readonly string[]).join(';');
    default: return String(value);
  }
}
