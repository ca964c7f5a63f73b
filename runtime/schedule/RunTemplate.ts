// Run parameters in job args, config values and waitFor paths: {{ds}}, {{ds_nodash}},
// {{interval_start}}, {{interval_end}}, {{run_id}}, {{attempt}} (Airflow's names and meaning), and
// {{output}}: the attempt's staging directory of a schedule with `output` (PartitionCommitter), and
// {{rejects}}: the run's rejects directory of a schedule with `rejects` (counted into the run's summary).
import { zonedDate, zonedIso } from './ZonedTime.js';

export const TEMPLATE_VARIABLES = ['ds', 'ds_nodash', 'interval_start', 'interval_end', 'run_id', 'attempt', 'schedule', 'output', 'rejects'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type RunParameters = Record<TemplateVariable, string>;

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The parameters of one attempt of a run: dates in the schedule's time zone. */
export function runParameters(run: { schedule: string; runId: string; intervalStart: number; intervalEnd: number }, attempt: number, timeZone: string): RunParameters {
  const ds = zonedDate(run.intervalStart, timeZone);
  return {
    ds,
    ds_nodash: ds.replace(/-/g, ''),
    interval_start: zonedIso(run.intervalStart, timeZone),
    interval_end: zonedIso(run.intervalEnd, timeZone),
    run_id: run.runId,
    attempt: String(attempt),
    schedule: run.schedule,
    output: '',
    rejects: '',
  };
}

/** Throws if `text` uses a placeholder that is not a run parameter (checked when a schedule is declared). */
export function checkTemplate(text: string, where: string): void {
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1]!)) {
      throw new Error(`${where}: unknown template variable '{{${m[1]}}}' in ${JSON.stringify(text)}; available: ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.`);
    }
  }
}

export function renderTemplate(text: string, params: RunParameters): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in params ? params[name as TemplateVariable] : whole));
}


/** The parameters a run's job reads with getRuntimeContext().getJobParameter: every variable that has a value. */
export function jobParametersOf(params: RunParameters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of TEMPLATE_VARIABLES) if (params[k] !== '') out[k] = params[k];
  return out;
}
