// Schedules (scheduled batch ETL, REST /schedules): the list with next fire time and run counts;
// a schedule's runs with their jobs; pause / resume / trigger.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { RestError, getJson, send } from '../api';
import { ErrorBox, KeyValueTable, Loading, StateTag } from '../components';
import { usePoll } from '../hooks';
import type { ScheduleRunSummary, ScheduleStatus } from '../types';

export function SchedulesPage(): VNode {
  const s = usePoll(() => getJson<{ schedules: ScheduleStatus[] }>('schedules'), []);
  if (s.error instanceof RestError && s.error.status === 404) {
    return html`<section><h1>Schedules</h1><div class="empty" data-testid="schedules-off">This JobManager runs no schedules service (scheduled batch ETL; see docs/scheduling.md).</div></section>`;
  }
  return html`<section><h1>Schedules</h1><${ErrorBox} error=${s.error} />
    ${s.data ? (s.data.schedules.length === 0 ? html`<div class="empty" data-testid="schedules">No schedules. Create one with <code>tsflink schedule create</code>.</div>` : html`<table class="list" data-testid="schedules">
      <thead><tr><th>Name</th><th>Cron</th><th>Time Zone</th><th>Job</th><th>Next Fire Time</th><th>Last Run</th><th>Runs</th><th>State</th></tr></thead>
      <tbody>${s.data.schedules.map((x) => html`<tr class="clickable" onClick=${() => { location.hash = `#/schedules/${encodeURIComponent(x.name)}`; }}>
        <td><a href=${`#/schedules/${encodeURIComponent(x.name)}`}>${x.name}</a></td><td class="mono">${x.cron}</td><td>${x.timezone}</td><td class="mono">${x.job}</td>
        <td>${x.nextFireTime ?? '-'}</td><td>${x.lastRun ? html`<${StateTag} state=${x.lastRun.state} /> ${x.lastRun.intervalStart}` : '-'}</td>
        <td>${Object.entries(x.runs).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}</td><td>${x.paused ? 'paused' : 'active'}</td></tr>`)}</tbody></table>`) : html`<${Loading} what="schedules" />`}
  </section>`;
}

export function SchedulePage({ name }: { name: string }): VNode {
  const st = usePoll(() => getJson<ScheduleStatus>(`schedules/${encodeURIComponent(name)}`), [name]);
  const runs = usePoll(() => getJson<{ runs: ScheduleRunSummary[] }>(`schedules/${encodeURIComponent(name)}/runs`), [name]);
  const [error, setError] = useState<Error | undefined>();
  const act = async (method: 'POST' | 'PATCH', path: string, body?: unknown): Promise<void> => {
    setError(undefined);
    try { await send(method, `schedules/${encodeURIComponent(name)}${path}`, body); st.reload(); runs.reload(); } catch (e) { setError(e as Error); }
  };
  const x = st.data;
  return html`<section data-testid="schedule-page"><h1>Schedule ${name}</h1><${ErrorBox} error=${st.error ?? error} />
    ${x ? html`<div>
      <${KeyValueTable} rows=${[['Cron', html`<span class="mono">${x.cron}</span>`], ['Time Zone', x.timezone], ['Job', html`<span class="mono">${x.job}</span>`],
        ['Concurrency Policy', x.concurrencyPolicy], ['Catch-up', x.catchup], ['Next Fire Time', x.nextFireTime ?? '-'], ['Last Success', x.lastSuccessTime ?? '-'],
        ['Missed Intervals', x.missedIntervals], ['State', x.paused ? 'paused' : 'active']]} />
      <div class="actions">
        <button onClick=${() => void act('PATCH', '', { paused: !x.paused })}>${x.paused ? 'Resume' : 'Pause'}</button>
        <button onClick=${() => void act('POST', '/trigger')}>Trigger Now</button>
      </div></div>` : null}
    <h2>Runs</h2><${ErrorBox} error=${runs.error} />
    ${runs.data ? html`<table class="list" data-testid="schedule-runs"><thead><tr><th>Run</th><th>Interval</th><th>Attempt</th><th>State</th><th>Job</th></tr></thead>
      <tbody>${[...runs.data.runs].reverse().map((r) => html`<tr><td class="mono">${r.runId}</td><td>${r.intervalStart} – ${r.intervalEnd}</td><td>${r.attempt}</td>
        <td><${StateTag} state=${r.state} /></td><td>${r.jobId ? html`<a class="mono" href=${`#/job/${r.jobId}/overview`}>${r.jobId}</a>` : '-'}</td></tr>`)}</tbody></table>` : html`<${Loading} what="runs" />`}
  </section>`;
}
