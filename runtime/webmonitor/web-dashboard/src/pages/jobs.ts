// Overview (cluster numbers + running jobs) and the running / completed job lists.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { getJson } from '../api';
import { ErrorBox, Loading, StateTag, TaskBadges } from '../components';
import { duration, time } from '../format';
import { usePoll } from '../hooks';
import type { ClusterOverview, JobSummary } from '../types';

const COMPLETED = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export function isCompleted(state: string): boolean { return COMPLETED.has(state); }

export function JobTable({ jobs, testid }: { jobs: JobSummary[]; testid: string }): VNode {
  if (jobs.length === 0) return html`<div class="empty" data-testid=${testid}>No jobs.</div>`;
  const sorted = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return html`<table class="list" data-testid=${testid}>
    <thead><tr><th>Job Name</th><th>Start Time</th><th>Duration</th><th>End Time</th><th>Tasks</th><th>Status</th></tr></thead>
    <tbody>${sorted.map((j) => html`<tr class="clickable" data-job-id=${j.jid} onClick=${() => { location.hash = `#/job/${j.jid}/overview`; }}>
      <td><a href=${`#/job/${j.jid}/overview`}>${j.name}</a><div class="muted mono small">${j.jid}</div></td>
      <td>${time(j['start-time'])}</td><td>${duration(j.duration)}</td><td>${time(j['end-time'])}</td>
      <td><${TaskBadges} tasks=${j.tasks} /></td><td><${StateTag} state=${j.state} /></td></tr>`)}</tbody></table>`;
}

function Stat({ label, value, testid }: { label: string; value: number | string; testid: string }): VNode {
  return html`<div class="stat"><div class="stat-value" data-testid=${testid}>${value}</div><div class="stat-label">${label}</div></div>`;
}

export function OverviewPage(): VNode {
  const overview = usePoll(() => getJson<ClusterOverview>('overview'), []);
  const jobs = usePoll(() => getJson<{ jobs: JobSummary[] }>('jobs/overview'), []);
  const o = overview.data;
  return html`<section>
    <h1>Overview</h1>
    <${ErrorBox} error=${overview.error} />
    ${o ? html`<div class="stats">
      <div class="card"><h3>Available Task Slots</h3>
        <${Stat} label="Available" value=${o['slots-available']} testid="slots-available" />
        <${Stat} label="Total Task Slots" value=${o['slots-total']} testid="slots-total" />
        <${Stat} label="Task Managers" value=${o.taskmanagers} testid="taskmanagers" /></div>
      <div class="card"><h3>Running Jobs</h3>
        <${Stat} label="Running" value=${o['jobs-running']} testid="jobs-running" /></div>
      <div class="card"><h3>Completed Jobs</h3>
        <${Stat} label="Finished" value=${o['jobs-finished']} testid="jobs-finished" />
        <${Stat} label="Canceled" value=${o['jobs-cancelled']} testid="jobs-cancelled" />
        <${Stat} label="Failed" value=${o['jobs-failed']} testid="jobs-failed" /></div>
    </div>` : html`<${Loading} what="the cluster overview" />`}
    <h2>Running Job List</h2>
    <${ErrorBox} error=${jobs.error} />
    ${jobs.data ? html`<${JobTable} jobs=${jobs.data.jobs.filter((j) => !isCompleted(j.state))} testid="running-jobs" />` : html`<${Loading} what="jobs" />`}
    <h2>Completed Job List</h2>
    ${jobs.data ? html`<${JobTable} jobs=${jobs.data.jobs.filter((j) => isCompleted(j.state))} testid="completed-jobs" />` : null}
  </section>`;
}

export function JobListPage({ completed }: { completed: boolean }): VNode {
  const jobs = usePoll(() => getJson<{ jobs: JobSummary[] }>('jobs/overview'), []);
  return html`<section>
    <h1>${completed ? 'Completed Jobs' : 'Running Jobs'}</h1>
    <${ErrorBox} error=${jobs.error} />
    ${jobs.data ? html`<${JobTable} jobs=${jobs.data.jobs.filter((j) => isCompleted(j.state) === completed)} testid=${completed ? 'completed-jobs' : 'running-jobs'} />` : html`<${Loading} what="jobs" />`}
  </section>`;
}
