// Pipeline options (Flink PipelineOptions): properties of the job graph itself.
import { booleanOption, durationOption, intOption, listOption, stringOption } from './ConfigOption.js';

export const MAX_PARALLELISM = intOption('pipeline.max-parallelism', {
  defaultValue: 128,
  min: 1,
  max: 32768,
  description: 'Default number of key groups (upper bound for rescaling keyed state). tsflink uses a fixed default of 128.',
});

export const AUTO_WATERMARK_INTERVAL = durationOption('pipeline.auto-watermark-interval', {
  defaultValue: 200,
  min: 0,
  description: 'Interval of periodic watermark emission (WatermarkGenerator.onPeriodicEmit); 0 disables periodic watermarks.',
});

export const NAME = stringOption('pipeline.name', {
  description: 'Job name used when execute() is called without one.',
});

export const OPERATOR_CHAINING = booleanOption('pipeline.operator-chaining.enabled', {
  defaultValue: true,
  fallbackKeys: ['pipeline.operator-chaining'],
  description: 'Whether forward-connected operators with equal parallelism are chained into one task.',
});

export const OBJECT_REUSE = booleanOption('pipeline.object-reuse', {
  defaultValue: true,
  description: 'Whether a task gets the records of another task in the same thread as references (true, the default here; Flink defaults to false) ' +
    'or as copies (false: serialized as between threads). Operators of one chain always share references. See docs/performance.md.',
});

export const EXTERNAL_PACKAGES = listOption('pipeline.external-packages', {
  defaultValue: [],
  description: "npm packages kept out of the job bundle (separated by ';'): imported from the path they are installed at on the client, " +
    'so they must exist at that path on every JobManager and TaskManager. Packages are otherwise inlined into the bundle; native addons always stay out.',
});

export const GLOBAL_JOB_PARAMETERS = stringOption('pipeline.global-job-parameters', {
  description: "Job parameters every function reads with getRuntimeContext().getJobParameter(key, default) (Flink's global job parameters): " +
    "key:value pairs separated by ',', a key or value holding ',', ':' or a quote in single quotes (a quote inside doubled). " +
    'A scheduled run gets its run parameters here: ds, ds_nodash, interval_start, interval_end, run_id, attempt, schedule (docs/scheduling.md).',
});

/** Splits `text` at `sep` outside single or double quotes (as Flink's StructuredOptionsSplitter); quotes are kept. */
function splitQuoted(text: string, sep: string, limit = Infinity): string[] {
  const out: string[] = [];
  let from = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { if (c === quote) { if (text[i + 1] === quote) i++; else quote = ''; } }
    else if (c === "'" || c === '"') quote = c;
    else if (c === sep && out.length < limit - 1) { out.push(text.slice(from, i)); from = i + 1; }
  }
  if (quote) throw new Error(`pipeline.global-job-parameters: unclosed quote ${quote} in ${JSON.stringify(text)}.`);
  out.push(text.slice(from));
  return out;
}

function unquote(raw: string): string {
  const t = raw.trim();
  const q = t[0];
  return (q === "'" || q === '"') && t.length >= 2 && t.endsWith(q) ? t.slice(1, -1).split(q + q).join(q) : t;
}

/** pipeline.global-job-parameters as a map; throws naming the entry that is not key:value. */
export function parseJobParameters(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const entry of splitQuoted(text, ',')) {
    if (entry.trim() === '') continue;
    const kv = splitQuoted(entry, ':', 2).map(unquote);
    if (kv.length !== 2 || kv[0] === '') throw new Error(`pipeline.global-job-parameters: '${entry}' is not key:value (entries are separated by ',', e.g. ds:2026-11-02,region:eu).`);
    out[kv[0]!] = kv[1]!;
  }
  return out;
}

/** The inverse of parseJobParameters (values quoted where needed). */
export function formatJobParameters(params: Readonly<Record<string, string>>): string {
  const q = (s: string): string => (/[,:'"]|^\s|\s$/.test(s) || s === '' ? `'${s.replace(/'/g, "''")}'` : s);
  return Object.entries(params).map(([k, v]) => `${q(k)}:${q(v)}`).join(',');
}
