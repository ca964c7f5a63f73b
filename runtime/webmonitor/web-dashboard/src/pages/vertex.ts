// The vertex drawer of the job overview (Flink's routes: detail, subtasks, taskmanagers,
// watermarks, metrics, backpressure).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { ErrorBox, Loading, StateTag, Tabs } from '../components';
import { bytes, count, duration, metricValue, time, watermark } from '../format';
import { usePoll } from '../hooks';
import type { BackPressure, MetricValue, VertexDetails } from '../types';

const TABS = [
  { id: 'detail', title: 'Detail' }, { id: 'subtasks', title: 'SubTasks' }, { id: 'taskmanagers', title: 'TaskManagers' },
  { id: 'watermarks', title: 'Watermarks' }, { id: 'metrics', title: 'Metrics' }, { id: 'backpressure', title: 'BackPressure' },
];

export function VertexDrawer({ jid, vid, tab, onClose }: { jid: string; vid: string; tab: string; onClose: () => void }): VNode {
  const base = `jobs/${jid}/vertices/${vid}`;
  const details = usePoll(() => getJson<VertexDetails>(base), [base]);
  const active = TABS.some((t) => t.id === tab) ? tab : 'detail';
  return html`<aside class="drawer" data-testid="vertex-drawer" data-vertex-id=${vid}>
    <div class="drawer-head"><h2>${details.data?.name ?? vid}</h2><button class="close" onClick=${onClose} title="Close">×</button></div>
    <${Tabs} tabs=${TABS} active=${active} href=${(id: string) => `#/job/${jid}/overview/${vid}/${id}`} />
    <${ErrorBox} error=${details.error} />
    ${active === 'detail' || active === 'subtasks' ? (details.data ? html`<${SubtaskTable} details=${details.data} />` : html`<${Loading} what="subtasks" />`) : null}
    ${active === 'taskmanagers' && details.data ? html`<${TaskManagerAggregation} details=${details.data} />` : null}
    ${active === 'watermarks' ? html`<${Watermarks} base=${base} />` : null}
    ${active === 'metrics' ? html`<${Metrics} base=${base} />` : null}
    ${active === 'backpressure' ? html`<${BackPressureView} base=${base} />` : null}
  </aside>`;
}

function SubtaskTable({ details }: { details: VertexDetails }): VNode {
  return html`<table class="list" data-testid="subtasks">
    <thead><tr><th>ID</th><th>Bytes Received</th><th>Records Received</th><th>Bytes Sent</th><th>Records Sent</th><th>Attempt</th><th>Host</th><th>Start Time</th><th>Duration</th><th>Status</th><th>Logs</th></tr></thead>
    <tbody>${details.subtasks.map((s) => html`<tr>
      <td>${s.subtask}</td><td>${bytes(s.metrics['read-bytes'])}</td><td>${count(s.metrics['read-records'])}</td>
      <td>${bytes(s.metrics['write-bytes'])}</td><td>${count(s.metrics['write-records'])}</td><td>${s.attempt + 1}</td>
      <td class="mono">${s.endpoint ?? '-'}</td><td>${time(s['start-time'])}</td><td>${duration(s.duration)}</td><td><${StateTag} state=${s.status} /></td>
      <td>${s['taskmanager-id'] ? html`<a href=${`#/task-manager/${encodeURIComponent(s['taskmanager-id'])}/logs`}>log</a>` : '-'}</td></tr>`)}</tbody></table>`;
}

function TaskManagerAggregation({ details }: { details: VertexDetails }): VNode {
  const byTm = new Map<string, { endpoint: string; subtasks: number; states: Map<string, number> }>();
  for (const s of details.subtasks) {
    const id = s['taskmanager-id'] ?? '(not deployed)';
    const e = byTm.get(id) ?? { endpoint: s.endpoint ?? '-', subtasks: 0, states: new Map<string, number>() };
    e.subtasks++;
    e.states.set(s.status, (e.states.get(s.status) ?? 0) + 1);
    byTm.set(id, e);
  }
  return html`<table class="list"><thead><tr><th>TaskManager</th><th>Endpoint</th><th>Subtasks</th><th>States</th></tr></thead>
    <tbody>${[...byTm].map(([id, e]) => html`<tr><td class="mono">${id}</td><td class="mono">${e.endpoint}</td><td>${e.subtasks}</td>
      <td>${[...e.states].map(([s, n]) => html`<span><${StateTag} state=${s} /> ${n} </span>`)}</td></tr>`)}</tbody></table>`;
}

function Watermarks({ base }: { base: string }): VNode {
  const w = usePoll(() => getJson<MetricValue[]>(`${base}/watermarks`), [base]);
  if (w.error) return html`<${ErrorBox} error=${w.error} />`;
  if (!w.data) return html`<${Loading} what="watermarks" />`;
  if (w.data.length === 0) return html`<div class="empty">No watermarks reported yet.</div>`;
  return html`<table class="list" data-testid="watermarks"><thead><tr><th>SubTask</th><th>Watermark</th></tr></thead>
    <tbody>${w.data.map((m) => html`<tr><td>${m.id.split('.')[0]}</td><td>${watermark(Number(m.value))}</td></tr>`)}</tbody></table>`;
}

/** Metric ids of the vertex, a pick list, and the picked ones polled with a small sparkline each (kept while the drawer is open). */
function Metrics({ base }: { base: string }): VNode {
  const ids = usePoll(() => getJson<MetricValue[]>(`${base}/metrics`), [base], { once: true });
  const [picked, setPicked] = useState<string[]>([]);
  const [history, setHistory] = useState<Record<string, number[]>>({});
  const values = usePoll(async () => {
    if (picked.length === 0) return [] as MetricValue[];
    const v = await getJson<MetricValue[]>(`${base}/metrics?get=${picked.map(encodeURIComponent).join(',')}`);
    setHistory((h) => {
      const next = { ...h };
      for (const m of v) next[m.id] = [...(h[m.id] ?? []), Number(m.value)].slice(-60);
      return next;
    });
    return v;
  }, [base, picked.join(',')]);
  return html`<div>
    <${ErrorBox} error=${ids.error ?? values.error} />
    <select data-testid="metric-select" onChange=${(e: Event) => { const id = (e.target as HTMLSelectElement).value; if (id && !picked.includes(id)) setPicked([...picked, id]); }}>
      <option value="">Add metric…</option>
      ${(ids.data ?? []).map((m) => html`<option value=${m.id}>${m.id}</option>`)}
    </select>
    <div class="metric-charts">${picked.map((id) => {
      const v = values.data?.find((m) => m.id === id)?.value;
      return html`<div class="metric-chart" data-metric=${id}><div class="metric-title">${id}<button class="close" onClick=${() => setPicked(picked.filter((p) => p !== id))}>×</button></div>
        <div class="metric-value">${metricValue(v)}</div><${Sparkline} values=${history[id] ?? []} /></div>`;
    })}</div>
  </div>`;
}

function Sparkline({ values }: { values: number[] }): VNode {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return html`<svg class="sparkline" width="220" height="40"></svg>`;
  const lo = Math.min(...finite), hi = Math.max(...finite), span = hi - lo || 1;
  const pts = finite.map((v, i) => `${(i / (finite.length - 1)) * 218 + 1},${39 - ((v - lo) / span) * 38}`).join(' ');
  return html`<svg class="sparkline" width="220" height="40"><polyline points=${pts} fill="none" stroke="#1890ff" stroke-width="1.5" /></svg>`;
}

function BackPressureView({ base }: { base: string }): VNode {
  const bp = usePoll(() => getJson<BackPressure>(`${base}/backpressure`), [base]);
  if (bp.error) return html`<${ErrorBox} error=${bp.error} />`;
  if (!bp.data) return html`<${Loading} what="back pressure" />`;
  if (bp.data.status !== 'ok') return html`<div class="empty">No back-pressure data yet (the subtasks have not reported their metrics).</div>`;
  return html`<div data-testid="backpressure">
    <p>Back Pressure Status: <span class=${`tag bp-${bp.data.backpressureLevel}`} data-testid="backpressure-level">${bp.data.backpressureLevel?.toUpperCase()}</span>
      <span class="muted"> measured ${time(bp.data['end-timestamp'])}</span></p>
    <table class="list"><thead><tr><th>SubTask</th><th>Backpressured / Idle / Busy</th><th>Status</th></tr></thead>
      <tbody>${(bp.data.subtasks ?? []).map((s) => html`<tr><td>${s.subtask}</td>
        <td>${Math.round(s.ratio * 100)}% / ${Math.round(s.idleRatio * 100)}% / ${Math.round(s.busyRatio * 100)}%</td>
        <td><span class=${`tag bp-${s.backpressureLevel}`}>${s.backpressureLevel.toUpperCase()}</span></td></tr>`)}</tbody></table>
  </div>`;
}
