#!/usr/bin/env node
// tsflink command line (oclif). Commands are compiled to dist/cli/commands by `npm run build`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argvModule = join(root, 'dist', 'cli', 'argv.js');
if (!existsSync(argvModule)) {
  process.stderr.write(`Error: tsflink is not built (${argvModule} is missing). Run \`npm run build\` in ${root}.\n`);
  process.exit(2);
}

const { protectJobArgs } = await import(pathToFileURL(argvModule).href);
const { execute } = await import('@oclif/core');
// Job arguments after the job file are the job's, including `--help` and flags tsflink also has.
await execute({ args: protectJobArgs(process.argv.slice(2)), dir: import.meta.url });
