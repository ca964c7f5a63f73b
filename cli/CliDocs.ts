// docs/cli-reference.md, generated from the oclif commands (their summary, usage, arguments, flags
// and examples), so the reference cannot drift from `tsflink <command> --help`.
//   npx tsc -p tsconfig.json && node dist/cli/CliDocs.js --write
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, type Command } from '@oclif/core';
import { packageRoot } from '../runtime/configuration/packageRoot.js';

export const CLI_DOC_PATH = (): string => join(packageRoot(), 'docs', 'cli-reference.md');

const BIN = 'tsflink';
const bin = (s: string): string => s.replace(/<%=\s*config\.bin\s*%>/g, BIN);
/** Table cells: no raw pipes or newlines. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

type Flag = Command.Loadable['flags'][string];

function flagName(f: Flag): string {
  const value = f.type === 'option' ? ` ${f.helpValue ?? `<${f.name}>`}` : '';
  return `${f.char ? `-${f.char}, ` : ''}--${f.name}${value}`;
}

function flagDefault(f: Flag): string {
  const d = (f as { default?: unknown }).default;
  if (d === undefined || typeof d === 'function' || (f.type === 'boolean' && d === false)) return '';
  return Array.isArray(d) ? d.join(', ') : String(d);
}

function renderCommand(c: Command.Loadable): string[] {
  const name = c.id.replace(/:/g, ' ');
  const out = [`## ${BIN} ${name}`, ''];
  if (c.summary) out.push(bin(c.summary), '');
  if (c.description) out.push(bin(c.description), '');
  const usage = Array.isArray(c.usage) ? c.usage : c.usage ? [c.usage] : [];
  out.push('```', ...(usage.length > 0 ? usage.map((u) => `${BIN} ${bin(u)}`) : [`${BIN} ${name}`]), '```', '');
  const args = Object.values(c.args ?? {});
  if (args.length > 0) {
    out.push('| argument | meaning |', '|---|---|');
    for (const a of args) out.push(`| \`${a.name}\`${a.required ? ' (required)' : ''} | ${cell(a.description ?? '')} |`);
    out.push('');
  }
  const flags = Object.values(c.flags ?? {}).filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name));
  if (flags.length > 0) {
    out.push('| flag | meaning | default |', '|---|---|---|');
    for (const f of flags) {
      const { options, multiple } = f as { options?: readonly string[]; multiple?: boolean };
      const extra = [options && options.length > 0 ? `one of ${options.join(', ')}` : '', multiple ? 'repeatable' : '', f.required ? 'required' : '']
        .filter(Boolean).join('; ');
      out.push(`| \`${flagName(f)}\` | ${cell(f.description ?? '')}${extra ? ` (${extra})` : ''} | ${cell(flagDefault(f))} |`);
    }
    out.push('');
  }
  const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command));
  if (examples.length > 0) out.push('Examples:', '', '```sh', ...examples.map(bin), '```', '');
  return out;
}

/** The whole reference, from the commands oclif loads from dist/cli/commands. */
export async function renderCliReference(): Promise<string> {
  const config = await Config.load(packageRoot());
  const commands = [...config.commands].filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id));
  const lines = [
    '# tsflink CLI reference',
    '',
    '<!-- Generated from the oclif commands by `node dist/cli/CliDocs.js --write`; do not edit by hand. -->',
    '',
    'Every command prints this with `tsflink <command> --help`. How the commands fit together (job files,',
    'targets, savepoints, YARN) is in [cli.md](cli.md); configuration keys (`-D key=value`) in [config.md](config.md).',
    '',
    ...commands.map((c) => `- [\`${BIN} ${c.id.replace(/:/g, ' ')}\`](#${`${BIN} ${c.id.replace(/:/g, ' ')}`.replace(/ /g, '-')}) — ${cell(bin(c.summary ?? ''))}`),
    '',
    ...commands.flatMap(renderCommand),
  ];
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = await renderCliReference();
  if (process.argv.includes('--write')) {
    writeFileSync(CLI_DOC_PATH(), doc);
    process.stdout.write(`wrote ${CLI_DOC_PATH()}\n`);
  } else {
    process.stdout.write(doc);
  }
}
