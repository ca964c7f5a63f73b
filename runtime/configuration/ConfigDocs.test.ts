// docs/config.md is generated from the option declarations; this fails when someone adds or
// changes an option without regenerating it.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_DOC_PATH, renderConfigReference } from './ConfigDocs.js';
import { registeredOptions } from './ConfigOption.js';

describe('docs/config.md', () => {
  it('is the reference generated from the current option declarations', () => {
    const expected = renderConfigReference();
    const actual = readFileSync(CONFIG_DOC_PATH(), 'utf8');
    if (actual !== expected) {
      const want = new Set(expected.split('\n')), have = new Set(actual.split('\n'));
      const missing = [...want].filter((l) => !have.has(l)).slice(0, 5), extra = [...have].filter((l) => !want.has(l)).slice(0, 5);
      expect.fail(`docs/config.md is stale: regenerate it with \`npx tsc -p tsconfig.json && node dist/runtime/configuration/ConfigDocs.js --write\`.\n` +
        `Lines it lacks:\n${missing.join('\n')}\nLines it should not have:\n${extra.join('\n')}`);
    }
  });

  it('has every registered key, with its type and default', () => {
    const doc = readFileSync(CONFIG_DOC_PATH(), 'utf8');
    const keys = registeredOptions().map((o) => o.key);
    expect(keys.length).toBeGreaterThan(50);
    for (const k of keys) expect(doc).toContain(`| \`${k}\` |`);
    expect(doc).toMatch(/\| `metrics\.fetcher\.update-interval` \| duration \(≥ 0 ms\) \| `10 s` \| /);
    expect(doc).toMatch(/\| `io\.tmp\.dirs` \| list \| `<system temp dir>` \| /);
  });
});
