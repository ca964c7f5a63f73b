// Small shared widgets: status tags, tabs, errors, key/value tables, text viewers.
import { html } from 'htm/preact';
import type { ComponentChildren, VNode } from 'preact';
import { useState } from 'preact/hooks';
import { RestError, getText } from './api';
import { usePoll } from './hooks';

const STATE_CLASS: Record<string, string> = {
  RUNNING: 'running', FINISHED: 'finished', COMPLETED: 'finished', SUCCEEDED: 'finished', FAILED: 'failed', FAILING: 'failed',
  CANCELED: 'canceled', CANCELLING: 'canceled', CANCELED_BY_USER: 'canceled', CREATED: 'created', INITIALIZING: 'created',
  SCHEDULED: 'created', DEPLOYING: 'deploying', RESTARTING: 'deploying', IN_PROGRESS: 'deploying', PENDING: 'created', WAITING: 'created',
};

export function StateTag({ state }: { state: string }): VNode {
  return html`<span class=${`tag state-${STATE_CLASS[state] ?? 'created'}`} data-state=${state}>${state}</span>`;
}

/** Counts of subtasks per state, as coloured boxes (Flink's task-badge). */
export function TaskBadges({ tasks }: { tasks: Record<string, number> }): VNode {
  const shown = Object.entries(tasks).filter(([k, v]) => k !== 'total' && v > 0);
  return html`<span class="badges">${shown.map(([k, v]) => html`<span class=${`badge state-${STATE_CLASS[k.toUpperCase()] ?? 'created'}`} title=${k}>${v}</span>`)}</span>`;
}

export function ErrorBox({ error }: { error: Error | undefined }): VNode | null {
  if (!error) return null;
  const lines = error instanceof RestError ? error.errors : [error.message];
  return html`<div class="error-box" role="alert">${lines.map((l) => html`<pre>${l}</pre>`)}</div>`;
}

export function Loading({ what }: { what: string }): VNode { return html`<div class="loading">Loading ${what}…</div>`; }

export interface Tab { id: string; title: string }
export function Tabs({ tabs, active, href }: { tabs: Tab[]; active: string; href: (id: string) => string }): VNode {
  return html`<nav class="tabs">${tabs.map((t) => html`<a href=${href(t.id)} class=${t.id === active ? 'active' : ''} data-tab=${t.id}>${t.title}</a>`)}</nav>`;
}

export function KeyValueTable({ rows, testid }: { rows: Array<[string, ComponentChildren]>; testid?: string }): VNode {
  return html`<table class="kv" data-testid=${testid}><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

/** Configuration lists ([{key, value}]) with a filter box. */
export function ConfigTable({ entries, testid }: { entries: Array<{ key: string; value: string }>; testid: string }): VNode {
  const [filter, setFilter] = useState('');
  const shown = entries.filter((e) => e.key.includes(filter) || e.value.includes(filter)).sort((a, b) => a.key.localeCompare(b.key));
  return html`<div>
    <input class="filter" placeholder="Filter keys and values" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} />
    <table class="list" data-testid=${testid}><thead><tr><th>Key</th><th>Value</th></tr></thead>
      <tbody>${shown.map((e) => html`<tr><td class="mono">${e.key}</td><td class="mono">${e.value}</td></tr>`)}</tbody></table></div>`;
}

/** A log or stdout file, polled; the end of the file is shown (the REST handler returns its last 8 MiB). */
export function TextViewer({ path, testid }: { path: string; testid: string }): VNode {
  const { data, error, reload } = usePoll(() => getText(path), [path], { once: true });
  return html`<div class="text-viewer">
    <div class="toolbar"><button onClick=${reload}>Reload</button><span class="muted mono">${path}</span></div>
    <${ErrorBox} error=${error} />
    ${data === undefined && !error ? html`<${Loading} what=${path} />` : html`<pre class="log" data-testid=${testid}>${data === '' ? '(empty)' : data}</pre>`}
  </div>`;
}
