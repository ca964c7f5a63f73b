// docs/api.md is the API reference users get with the repository: its index of exports must be
// what runtime/index.ts exports, and every class-like name its text uses must be exported.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { API_DOC_PATH, publicExports, withCurrentIndex } from './ApiReference.js';

// Names the text uses that are deliberately not exports (each says why in docs/api.md).
const NOT_EXPORTED = new Set(['CollectSink', /* CLI output: "… with JobID <32 hex>" */ 'JobID']);

describe('docs/api.md', () => {
  it('has the current index of exports', () => {
    const doc = readFileSync(API_DOC_PATH(), 'utf8');
    if (withCurrentIndex(doc) !== doc) {
      expect.fail('The index of exports in docs/api.md is stale: regenerate it with `npx tsc -p tsconfig.json && node dist/runtime/api/ApiReference.js --write`.');
    }
  });

  it('uses only names the package exports', () => {
    const doc = readFileSync(API_DOC_PATH(), 'utf8');
    const text = doc.slice(0, doc.indexOf('## Index of exports'));
    const exported = new Set(publicExports().map((e) => e.name));
    const used = new Set<string>();
    for (const m of text.matchAll(/`([^`\n]+)`/g)) {
      // CamelCase with two humps (DataStream, WatermarkStrategy): class and type names, not config keys or prose.
      for (const t of m[1]!.matchAll(/(?<![\w.-])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)(?![\w-])/g)) used.add(t[1]!);
    }
    expect(used.size).toBeGreaterThan(60);
    const missing = [...used].filter((n) => !exported.has(n) && !NOT_EXPORTED.has(n)).sort();
    expect(missing).toEqual([]);
  });

  it('parses export lists, type-only exports and the index module\'s own', () => {
    const names = publicExports("export { A, type B, C as D } from './x/Y.js';\nexport type { E } from './z.js';\n// export { Nope } from './n.js';\nexport const Duration = {};");
    expect(names).toEqual([
      { name: 'A', kind: 'value', module: 'x/Y' }, { name: 'B', kind: 'type', module: 'x/Y' }, { name: 'D', kind: 'value', module: 'x/Y' },
      { name: 'E', kind: 'type', module: 'z' }, { name: 'Duration', kind: 'value', module: 'index' },
    ]);
  });
});

describe('README.md and docs/: the user guide inside the repository', () => {
  it('links only to files of the repository, and every one exists', () => {
    const root = join(API_DOC_PATH(), '..', '..');
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s#]*)(#[^)\s]*)?\)/g)) {
        const target = m[1]!;
        if (target === '') continue; // an anchor on the same page
        if (/^[a-z]+:/i.test(target)) { if (!/^https?:\/\/(localhost|127\.)/.test(target)) broken.push(`${page}: external link ${target}`); continue; }
        const resolved = join(root, dirname(page), target);
        if (!resolved.startsWith(root)) broken.push(`${page}: ${target} is outside the repository`);
        else if (!existsSync(resolved)) broken.push(`${page}: ${target} does not exist`);
      }
    }
    expect(broken).toEqual([]);
  });
});
