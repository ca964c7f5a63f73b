// The configuration reference (docs/config.md), generated from the option declarations: every
// key with its type, default and description. A test fails when the file is stale; regenerate it
// with `node dist/runtime/configuration/ConfigDocs.js --write`.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import './allOptions.js';
import { type ConfigOption, registeredOptions } from './ConfigOption.js';
import { formatDuration, formatMemorySize } from './units.js';
import { packageRoot } from './packageRoot.js';

const TYPE_NAMES: Record<ConfigOption<unknown>['type'], string> = {
  int: 'integer', number: 'number', boolean: 'boolean', string: 'string', duration: 'duration', memory: 'memory size', enum: 'enum', list: 'list',
};

/** A default as a user writes it; machine-dependent values (the temp dir) by name, so the file is the same everywhere. */
function renderDefault(o: ConfigOption<unknown>): string {
  const v = o.defaultValue;
  if (v === undefined) return '(none)';
  const one = (x: unknown): string => {
    if (o.type === 'duration' && typeof x === 'number') return formatDuration(x);
    if (o.type === 'memory' && typeof x === 'number') return formatMemorySize(x);
    return String(x) === tmpdir() ? '<system temp dir>' : String(x);
  };
  return Array.isArray(v) ? (v.length === 0 ? '[]' : v.map(one).join(';')) : one(v);
}

function cell(s: string): string { return s.replace(/\|/g, '\\|').replace(/\n/g, ' '); }

function renderType(o: ConfigOption<unknown>): string {
  let t = TYPE_NAMES[o.type];
  if (o.allowed) t += `: ${o.allowed.join(', ')}`;
  const fmt = (n: number): string => (o.type === 'duration' ? formatDuration(n) : o.type === 'memory' ? formatMemorySize(n) : String(n));
  if (o.min !== undefined && o.max !== undefined) t += ` (${fmt(o.min)}–${fmt(o.max)})`;
  else if (o.min !== undefined) t += ` (≥ ${fmt(o.min)})`;
  else if (o.max !== undefined) t += ` (≤ ${fmt(o.max)})`;
  return t;
}

export function renderConfigReference(): string {
  const groups = new Map<string, ConfigOption<unknown>[]>();
  for (const o of registeredOptions()) {
    const g = o.key.split('.')[0]!;
    const l = groups.get(g) ?? [];
    l.push(o);
    groups.set(g, l);
  }
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from the option declarations (runtime/configuration/*Options.ts) by runtime/configuration/ConfigDocs.ts;',
    '     regenerate with `node dist/runtime/configuration/ConfigDocs.js --write`. A test fails when this file is stale. -->',
    '',
    'Keys are Flink 2.x names; set them in `conf/config.yaml` (nested or flat), with `-D key=value`, or in code',
    '(`env.configure({...})`). Durations take units (`100 ms`, `10 s`, `1 min`; a bare number is milliseconds),',
    "memory sizes too (`64 kb`, `512 mb`, `1 g`; a bare number is bytes), lists are separated by `;` or `,`.",
    'An unknown key is a warning, a bad value an error naming the key. Free-form sub-keys:',
    '`metrics.reporter.<name>.*` ([metrics.md](metrics.md)), `containerized.master.env.*`, `containerized.taskmanager.env.*`.',
    '',
  ];
  for (const [g, opts] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`## ${g}`, '', '| key | type | default | description |', '|---|---|---|---|');
    for (const o of opts) {
      const fallback = o.fallbackKeys?.length ? ` (formerly ${o.fallbackKeys.map((k) => `\`${k}\``).join(', ')})` : '';
      out.push(`| \`${o.key}\` | ${cell(renderType(o))} | \`${cell(renderDefault(o))}\` | ${cell(o.description)}${fallback} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export const CONFIG_DOC_PATH = (): string => join(packageRoot(), 'docs', 'config.md');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--write')) {
  writeFileSync(CONFIG_DOC_PATH(), renderConfigReference());
  process.stdout.write(`wrote ${CONFIG_DOC_PATH()}\n`);
}
