// docs/cli-reference.md is generated from the oclif commands; this fails when a command, flag or
// description changes without regenerating it.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CLI_DOC_PATH, renderCliReference } from './CliDocs.js';

describe('docs/cli-reference.md', () => {
  it('is the reference generated from the current commands', async () => {
    const expected = await renderCliReference();
    const actual = readFileSync(CLI_DOC_PATH(), 'utf8');
    if (actual !== expected) {
      const want = new Set(expected.split('\n')), have = new Set(actual.split('\n'));
      const missing = [...want].filter((l) => !have.has(l)).slice(0, 5), extra = [...have].filter((l) => !want.has(l)).slice(0, 5);
      expect.fail('docs/cli-reference.md is stale: regenerate it with `npx tsc -p tsconfig.json && node dist/cli/CliDocs.js --write`.\n' +
        `Lines it lacks:\n${missing.join('\n')}\nLines it should not have:\n${extra.join('\n')}`);
    }
  });

  it('documents every command with its flags', async () => {
    const doc = readFileSync(CLI_DOC_PATH(), 'utf8');
    for (const c of ['run', 'info', 'list', 'cancel', 'savepoint', 'stop', 'checkpoint', 'jobmanager', 'taskmanager', 'cluster start', 'yarn-application', 'yarn-session', 'schedule create']) {
      expect(doc).toContain(`## tsflink ${c}\n`);
    }
    expect(doc).toMatch(/\| `-p, --parallelism <n>` \| /);
    expect(doc).toMatch(/\| `-d, --dispose <dispose>` \| Dispose of \(delete\) the savepoint/);
  });
});
