// Module hooks for bench/b1b2-metrics-cost.ts. Both sides load the build through this hook (so
// any cost of loading through hooks is the same on both); on the `before` side ChainingOutput.js
// comes without the chained operator's per-record `numRecordsIn` add: a chained operator's
// collect is its processElement itself, as before the metric system. Every other byte of the
// build is the same on both sides.
import type { InitializeHook, LoadHook } from 'node:module';

const TARGET = '/dist/runtime/taskmanager/ChainingOutput.js';
/** The two per-record counts (the prototype-installed counting collect, the ChainingOutput adapter's add) and their uncounted forms. */
const COUNTS: Array<[string, string]> = [['collect: { value: countingCollectFor(),', 'collect: { value: op.processElement,'], ['this.op[NUM_RECORDS_IN]++;', '']];
let strip = false;

export const initialize: InitializeHook<{ strip: boolean }> = (data) => { strip = data.strip; };

export const load: LoadHook = async (url, context, nextLoad) => {
  const r = await nextLoad(url, context);
  if (!url.endsWith(TARGET)) return r;
  let src = String(r.source);
  for (const [counted, uncounted] of COUNTS) {
    if (!src.includes(counted)) throw new Error(`bench/metrics-cost: '${counted}' not found in ${url}; update COUNTS to the current ChainingOutput.ts`);
    if (strip) src = src.replace(counted, uncounted);
  }
  return { ...r, source: src };
};
