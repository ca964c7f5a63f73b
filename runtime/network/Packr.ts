// msgpackr writes -0 as the integer 0 (its integer fast path tests `value >>> 0 === value`, true for -0),
// so -0 would arrive as 0. Records must round-trip exactly, and a per-record walk to find -0 is too
// expensive, so the encoder is loaded from msgpackr's own pack.js with those two integer tests made
// -0-aware (-0 then takes the float64 path). The patch is applied to the installed source at load time;
// if the source no longer matches (msgpackr upgrade) the stock Packr is used and the -0 tests fail loudly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Packr as StockPackr } from 'msgpackr';

const PATCHES: [string, string][] = [
  ['if (value >>> 0 === value) {// positive integer', 'if (value >>> 0 === value && (value !== 0 || 1 / value > 0)) {// positive integer'],
  ['} else if (value >> 0 === value) { // negative integer', '} else if (value >> 0 === value && value !== 0) { // negative integer'],
];

async function loadPatchedPackr(): Promise<typeof StockPackr | null> {
  try {
    // Resolve msgpackr's directory the way Node does for this package, then its ESM pack.js next to it.
    const entry = createRequire(import.meta.url).resolve('msgpackr');
    let dir = dirname(entry);
    if (dir.endsWith('dist')) dir = dirname(dir);
    let src = readFileSync(join(dir, 'pack.js'), 'utf8');
    for (const [from, to] of PATCHES) {
      if (src.split(from).length !== 2) return null;
      src = src.replace(from, to);
    }
    // Share the one unpack.js module instance (and its native string extractor) with the rest of msgpackr.
    const unpackUrl = pathToFileURL(join(dir, 'unpack.js')).href;
    src = src.replaceAll("from './unpack.js'", `from '${unpackUrl}'`);
    // Name the module in stack traces and profiles (otherwise the whole data: URL shows up).
    src += `\n//# sourceURL=${pathToFileURL(join(dir, 'pack.js')).href}?tsflink-negative-zero`;
    const mod = (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(src)}`)) as { Packr: typeof StockPackr };
    const p = new mod.Packr({ useRecords: false });
    const check = new StockPackr({ useRecords: false }).unpack(p.pack(-0)) as number;
    return Object.is(check, -0) ? mod.Packr : null;
  } catch {
    return null;
  }
}

const patched = await loadPatchedPackr();

/** msgpackr's Packr, -0-preserving when the installed msgpackr could be patched. */
export const Packr: typeof StockPackr = patched ?? StockPackr;
export const preservesNegativeZero = patched !== null;
