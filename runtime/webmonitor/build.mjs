#!/usr/bin/env node
// Bundles the web dashboard (runtime/webmonitor/web-dashboard) into dist/runtime/webmonitor/web:
// index.html, app.js (preact, htm and dagre inlined: clusters are often offline, so no CDN),
// app.css and the logo. Run by `npm run build` after tsc; WebStaticFileHandler serves the result.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const src = join(here, 'web-dashboard');
const out = join(root, 'dist', 'runtime', 'webmonitor', 'web');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(src, 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
await build({ entryPoints: [join(src, 'styles.css')], outfile: join(out, 'app.css'), bundle: true, minify: true, logLevel: 'warning' });
for (const f of ['index.html', 'logo.svg']) copyFileSync(join(src, f), join(out, f));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stderr.write(`web dashboard bundled into ${out} (${Math.round(bytes / 1024)} KiB with source map)\n`);
