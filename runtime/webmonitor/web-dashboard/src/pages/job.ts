// Job detail: header with Cancel / Stop-with-savepoint (web.cancel.enable), and the tabs
// Overview (graph + vertex list + drawer), Exceptions, TimeLine, Checkpoints, Configuration.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { getJson, send } from '../api';
import { ErrorBox, KeyValueTable, Loading, StateTag, Tabs, TaskBadges } from '../components';
import { bytes, count, duration, time } from '../format';
import { usePoll } from '../hooks';
import type { DashboardConfig, JobConfig, JobDetails, JobExceptions, SubtaskTimes } from '../types';
import { CheckpointsTab } from './checkpoints';
import { JobGraphView } from './graph';
import { isCompleted } from './jobs';
import { VertexDrawer } from './vertex';

const TABS = [
  { id: 'overview', title: 'Overview' }, { id: 'exceptions', title: 'Exceptions' }, { id: 'timeline', title: 'TimeLine' },
  { id: 'checkpoints', title: 'Checkpoints' }, { id: 'configuration', title: 'Configuration' },
];

export function JobPage({ jid, route, config }: { jid: string; route: string[]; config: DashboardConfig }): VNode {
  const job = usePoll(() => getJson<JobDetails>(`jobs/${jid}`), [jid]);
  const tab = TABS.some((t) => t.id === route[0]) ? route[0]! : 'overview';
  const j = job.data;
  return html`<section class="job" data-testid="job-page" data-job-id=${jid}>
    <${ErrorBox} error=${job.error} />
    ${j ? html`<${JobHeader} job=${j} config=${config} />` : html`<${Loading} what=${`job ${jid}`} />`}
    <${Tabs} tabs=${TABS} active=${tab} href=${(id: string) => `#/job/${jid}/${id}`} />
    ${j && tab === 'overview' ? html`<${JobOverview} job=${j} vid=${route[1]} vtab=${route[2] ?? 'detail'} />` : null}
    ${tab === 'exceptions' ? html`<${ExceptionsTab} jid=${jid} />` : null}
    ${j && tab === 'timeline' ? html`<${TimelineTab} job=${j} />` : null}
    ${tab === 'checkpoints' ? html`<${CheckpointsTab} jid=${jid} route=${route.slice(1)} />` : null}
    ${tab === 'configuration' ? html`<${ConfigurationTab} jid=${jid} />` : null}
  </section>`;
}

function JobHeader({ job, config }: { job: JobDetails; config: DashboardConfig }): VNode {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [target, setTarget] = useState('');
  const [showStop, setShowStop] = useState(false);
  const terminal = isCompleted(job.state);
  const cancel = async (): Promise<void> => {
    if (!confirm(`Cancel job ${job.name}?`)) return;
    setBusy('Cancelling…'); setError(undefined);
    try { await send('PATCH', `jobs/${job.jid}?mode=cancel`); setBusy('Cancel requested.'); } catch (e) { setError(e as Error); setBusy(''); }
  };
  const stop = async (): Promise<void> => {
    setBusy('Stopping with a savepoint…'); setError(undefined);
    try {
      const { 'request-id': id } = await send<{ 'request-id': string }>('POST', `jobs/${job.jid}/stop`, target ? { targetDirectory: target, drain: false } : { drain: false });
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        const s = await getJson<{ status: { id: string }; operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; class?: string } } }>(`jobs/${job.jid}/savepoints/${id}`);
        if (s.status.id !== 'COMPLETED') continue;
        if (s.operation?.location) { setBusy(`Stopped; savepoint at ${s.operation.location}`); setShowStop(false); return; }
        throw new Error(s.operation?.['failure-cause']?.['stack-trace'] ?? 'Stop-with-savepoint failed.');
      }
    } catch (e) { setError(e as Error); setBusy(''); }
  };
  return html`<div class="job-header">
    <div class="job-title"><h1 data-testid="job-name">${job.name}</h1><${StateTag} state=${job.state} /></div>
    <div class="job-meta muted">
      <span>ID: <span class="mono">${job.jid}</span></span><span>Start: ${time(job['start-time'])}</span>
      <span>Duration: ${duration(job.duration)}</span>${job['end-time'] > 0 ? html`<span>End: ${time(job['end-time'])}</span>` : null}
      <span>Type: ${job['job-type']}</span><${TaskBadges} tasks=${job['status-counts']} />
    </div>
    ${config.features['web-cancel'] && !terminal ? html`<div class="actions">
      <button class="danger" data-testid="cancel-job" onClick=${cancel}>Cancel Job</button>
      ${job['job-type'] === 'STREAMING' ? html`<button data-testid="stop-job" onClick=${() => setShowStop(!showStop)}>Stop with Savepoint</button>` : null}
      ${showStop ? html`<span class="stop-form"><input placeholder="Savepoint directory (default: state.savepoints.dir)" value=${target}
        onInput=${(e: Event) => setTarget((e.target as HTMLInputElement).value)} /><button data-testid="stop-confirm" onClick=${stop}>Stop</button></span>` : null}
    </div>` : null}
    ${busy ? html`<div class="notice" data-testid="action-status">${busy}</div>` : null}
    <${ErrorBox} error=${error} />
  </div>`;
}

function JobOverview({ job, vid, vtab }: { job: JobDetails; vid: string | undefined; vtab: string }): VNode {
  const select = (id: string): void => { location.hash = `#/job/${job.jid}/overview/${id}/detail`; };
  return html`<div class="job-overview">
    <${JobGraphView} job=${job} selected=${vid} onSelect=${select} />
    <table class="list" data-testid="vertices">
      <thead><tr><th>Name</th><th>Status</th><th>Bytes Received</th><th>Records Received</th><th>Bytes Sent</th><th>Records Sent</th><th>Parallelism</th><th>Start Time</th><th>Duration</th><th>Tasks</th></tr></thead>
      <tbody>${job.vertices.map((v) => html`<tr class=${`clickable${vid === v.id ? ' selected' : ''}`} data-vertex-id=${v.id} onClick=${() => select(v.id)}>
        <td>${v.name}</td><td><${StateTag} state=${v.status} /></td><td>${bytes(v.metrics['read-bytes'])}</td><td>${count(v.metrics['read-records'])}</td>
        <td>${bytes(v.metrics['write-bytes'])}</td><td>${count(v.metrics['write-records'])}</td><td>${v.parallelism}</td>
        <td>${time(v['start-time'])}</td><td>${duration(v.duration)}</td><td><${TaskBadges} tasks=${v.tasks} /></td></tr>`)}</tbody></table>
    ${vid ? html`<${VertexDrawer} jid=${job.jid} vid=${vid} tab=${vtab} onClose=${() => { location.hash = `#/job/${job.jid}/overview`; }} />` : null}
  </div>`;
}

function ExceptionsTab({ jid }: { jid: string }): VNode {
  const ex = usePoll(() => getJson<JobExceptions>(`jobs/${jid}/exceptions?maxExceptions=20`), [jid]);
  const [open, setOpen] = useState<number>(0);
  if (ex.error) return html`<${ErrorBox} error=${ex.error} />`;
  if (!ex.data) return html`<${Loading} what="exceptions" />`;
  const entries = ex.data.exceptionHistory.entries;
  return html`<div data-testid="exceptions">
    ${ex.data['root-exception'] ? html`<h3>Root Exception</h3><pre class="stack" data-testid="root-exception">${ex.data['root-exception']}</pre>` : null}
    <h3>Exception History</h3>
    ${entries.length === 0 ? html`<div class="empty">No exceptions.</div>` : html`<table class="list">
      <thead><tr><th>Time</th><th>Exception</th><th>Task</th><th>Location</th></tr></thead>
      <tbody>${entries.map((e, i) => html`
        <tr class="clickable" onClick=${() => setOpen(open === i ? -1 : i)}><td>${time(e.timestamp)}</td><td class="mono">${e.exceptionName}</td>
          <td>${e.taskName ?? '-'}</td><td class="mono">${e.endpoint ?? e.location ?? '-'}</td></tr>
        ${open === i ? html`<tr><td colspan="4"><pre class="stack" data-testid="exception-stack">${e.stacktrace}</pre>
          ${e.concurrentExceptions.map((c) => html`<div class="muted">Concurrent: ${c.taskName ?? ''}</div><pre class="stack">${c.stacktrace}</pre>`)}</td></tr>` : null}`)}</tbody></table>`}
    ${ex.data.exceptionHistory.truncated ? html`<div class="muted">Older exceptions are not kept (web.exception-history-size).</div>` : null}
  </div>`;
}

/** Gantt of the vertices (start → end), and per vertex its subtasks' state phases. */
function TimelineTab({ job }: { job: JobDetails }): VNode {
  const [vid, setVid] = useState<string | undefined>();
  const times = usePoll(() => (vid ? getJson<SubtaskTimes>(`jobs/${job.jid}/vertices/${vid}/subtasktimes`) : Promise.resolve(undefined)), [job.jid, vid]);
  const end = job['end-time'] > 0 ? job['end-time'] : job.now;
  const start = job['start-time'];
  const span = Math.max(1, end - start);
  // Clamped to the job's span: subtask phases may begin before the job's start time (scheduling).
  const bar = (s: number, e: number): string => {
    const left = Math.min(99.7, Math.max(0, ((s - start) / span) * 100));
    return `left:${left}%;width:${Math.max(0.3, Math.min(100 - left, ((e - Math.max(s, start)) / span) * 100))}%`;
  };
  const phases = ['SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING', 'FINISHED'];
  return html`<div class="timeline" data-testid="timeline">
    <h3>Job ${time(start)} – ${job['end-time'] > 0 ? time(end) : 'now'} (${duration(end - start)})</h3>
    ${job.vertices.map((v) => html`<div class="tl-row clickable" onClick=${() => setVid(v.id)}><div class="tl-label">${v.name}</div>
      <div class="tl-track">${v['start-time'] > 0 ? html`<div class=${`tl-bar state-${v.status.toLowerCase()}`} style=${bar(v['start-time'], v['end-time'] > 0 ? v['end-time'] : end)} title=${`${v.name}: ${duration(v.duration)}`}></div>` : null}</div></div>`)}
    ${times.data ? html`<h3>Subtasks of ${times.data.name}</h3>${times.data.subtasks.map((s) => html`<div class="tl-row"><div class="tl-label">${s.subtask} <span class="muted">${s.host ?? ''}</span></div>
      <div class="tl-track">${phases.map((p, i) => {
        const from = s.timestamps[p] ?? 0;
        if (!from) return null;
        const next = phases.slice(i + 1).map((q) => s.timestamps[q] ?? 0).find((t) => t > 0) ?? (p === 'FINISHED' ? from : times.data!.now);
        return html`<div class=${`tl-bar phase-${p.toLowerCase()}`} style=${bar(from, next)} title=${`${p}: ${duration(next - from)}`}></div>`;
      })}</div></div>`)}` : html`<div class="muted">Click a vertex for its subtasks' phases.</div>`}
  </div>`;
}

function ConfigurationTab({ jid }: { jid: string }): VNode {
  const c = usePoll(() => getJson<JobConfig>(`jobs/${jid}/config`), [jid], { once: true });
  if (c.error) return html`<${ErrorBox} error=${c.error} />`;
  if (!c.data) return html`<${Loading} what="the job configuration" />`;
  const e = c.data['execution-config'];
  return html`<div data-testid="job-config">
    <h3>Execution Configuration</h3>
    <${KeyValueTable} rows=${[['Execution Mode', e['execution-mode']], ['Restart Strategy', e['restart-strategy']], ['Job Parallelism', e['job-parallelism']], ['Object Reuse Mode', String(e['object-reuse-mode'])]]} />
    <h3>User Configuration</h3>
    <${KeyValueTable} rows=${Object.entries(e['user-config']).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, html`<span class="mono">${v}</span>`])} />
  </div>`;
}
