// The job's Checkpoints tab: Overview (counts, latest), History (with per-vertex / per-subtask
// drill-down), Summary (min/avg/max over completed), Configuration.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { ErrorBox, KeyValueTable, Loading, StateTag, Tabs } from '../components';
import { bytes, duration, time } from '../format';
import { usePoll } from '../hooks';
import type { CheckpointEntry, CheckpointStats, JobDetails, SubtaskCheckpoint, Summary } from '../types';

const TABS = [{ id: 'overview', title: 'Overview' }, { id: 'history', title: 'History' }, { id: 'summary', title: 'Summary' }, { id: 'configuration', title: 'Configuration' }];

export function CheckpointsTab({ jid, route }: { jid: string; route: string[] }): VNode {
  const tab = TABS.some((t) => t.id === route[0]) ? route[0]! : 'overview';
  const stats = usePoll(() => getJson<CheckpointStats>(`jobs/${jid}/checkpoints`), [jid]);
  const s = stats.data;
  return html`<div class="checkpoints" data-testid="checkpoints">
    <${Tabs} tabs=${TABS} active=${tab} href=${(id: string) => `#/job/${jid}/checkpoints/${id}`} />
    <${ErrorBox} error=${stats.error} />
    ${tab === 'configuration' ? html`<${CheckpointConfig} jid=${jid} />` : !s ? html`<${Loading} what="checkpoint statistics" />` : null}
    ${s && tab === 'overview' ? html`<${CheckpointOverview} s=${s} />` : null}
    ${s && tab === 'history' ? html`<${History} jid=${jid} s=${s} />` : null}
    ${s && tab === 'summary' ? html`<${SummaryTable} s=${s} />` : null}
  </div>`;
}

function CheckpointOverview({ s }: { s: CheckpointStats }): VNode {
  const c = s.counts;
  const latest = (what: string, e: CheckpointEntry | null): [string, VNode | string] => [what, e
    ? html`<span>ID ${e.id} · ${time(e.latest_ack_timestamp || e.trigger_timestamp)} · ${duration(e.end_to_end_duration)} · ${bytes(e.checkpointed_size)}${e.external_path ? html` · <span class="mono">${e.external_path}</span>` : ''}${e.failure_message ? html` · <span class="mono">${e.failure_message}</span>` : ''}</span>`
    : 'None'];
  const r = s.latest.restored;
  return html`<div>
    <${KeyValueTable} testid="checkpoint-counts" rows=${[['Triggered', c.total], ['In Progress', c.in_progress], ['Completed', html`<span data-testid="checkpoints-completed">${c.completed}</span>`], ['Failed', c.failed], ['Restored', c.restored]]} />
    <h3>Latest</h3>
    <${KeyValueTable} rows=${[latest('Completed Checkpoint', s.latest.completed), latest('Failed Checkpoint', s.latest.failed), latest('Savepoint', s.latest.savepoint),
      ['Restore', r ? html`<span>ID ${r.id} · ${time(r.restore_timestamp)}${r.external_path ? html` · <span class="mono">${r.external_path}</span>` : ''}</span>` : 'None']]} />
  </div>`;
}

function History({ jid, s }: { jid: string; s: CheckpointStats }): VNode {
  const [open, setOpen] = useState<number | undefined>();
  if (s.history.length === 0) return html`<div class="empty">No checkpoints yet.</div>`;
  return html`<table class="list" data-testid="checkpoint-history">
    <thead><tr><th>ID</th><th>Status</th><th>Type</th><th>Acknowledged</th><th>Trigger Time</th><th>Latest Acknowledgement</th><th>End to End Duration</th><th>Checkpointed Data Size</th><th>Full Checkpoint Data Size</th><th>Processed (persisted) in-flight data</th></tr></thead>
    <tbody>${s.history.map((e) => html`
      <tr class="clickable" data-checkpoint-id=${e.id} onClick=${() => setOpen(open === e.id ? undefined : e.id)}>
        <td>${e.id}${e.is_savepoint ? html` <span class="tag" title="Savepoint">savepoint</span>` : null}</td><td><${StateTag} state=${e.status} /></td><td class="small">${e.checkpoint_type}</td>
        <td>${e.num_acknowledged_subtasks}/${e.num_subtasks}</td><td>${time(e.trigger_timestamp)}</td><td>${time(e.latest_ack_timestamp)}</td>
        <td>${duration(e.end_to_end_duration)}</td><td>${bytes(e.checkpointed_size)}</td><td>${bytes(e.state_size)}</td><td>${bytes(e.processed_data)} (${bytes(e.persisted_data)})</td></tr>
      ${open === e.id ? html`<tr><td colspan="10"><${CheckpointDetail} jid=${jid} entry=${e} /></td></tr>` : null}`)}</tbody></table>`;
}

/** GET /jobs/:jid/checkpoints/details/:id per vertex, then one vertex's subtasks. */
function CheckpointDetail({ jid, entry }: { jid: string; entry: CheckpointEntry }): VNode {
  const [vid, setVid] = useState<string | undefined>();
  const details = usePoll(() => getJson<CheckpointEntry>(`jobs/${jid}/checkpoints/details/${entry.id}`), [jid, entry.id], { once: true });
  // The tasks are keyed by vertex id; the job names them.
  const names = usePoll(async () => new Map((await getJson<JobDetails>(`jobs/${jid}`)).vertices.map((v) => [v.id, v.name])), [jid], { once: true });
  const sub = usePoll(() => (vid ? getJson<{ subtasks: SubtaskCheckpoint[] }>(`jobs/${jid}/checkpoints/details/${entry.id}/subtasks/${vid}`) : Promise.resolve(undefined)), [jid, entry.id, vid], { once: true });
  return html`<div class="cp-detail">
    ${entry.failure_message ? html`<pre class="stack">${entry.failure_message}</pre>` : null}
    <table class="list"><thead><tr><th>Vertex</th><th>Acknowledged</th><th>Status</th><th>End to End</th><th>Checkpointed Size</th><th>Full Size</th></tr></thead>
      <tbody>${Object.entries(details.data?.tasks ?? entry.tasks ?? {}).map(([id, t]) => html`<tr class=${`clickable${vid === id ? ' selected' : ''}`} data-vertex-id=${id} onClick=${() => setVid(id)}><td>${names.data?.get(id) ?? html`<span class="mono">${id}</span>`}</td>
        <td>${t.num_acknowledged_subtasks}/${t.num_subtasks}</td><td><${StateTag} state=${t.status} /></td><td>${duration(t.end_to_end_duration)}</td>
        <td>${bytes(t.checkpointed_size)}</td><td>${bytes(t.state_size)}</td></tr>`)}</tbody></table>
    <${ErrorBox} error=${details.error ?? sub.error} />
    ${sub.data ? html`<table class="list" data-testid="checkpoint-subtasks"><thead><tr><th>Subtask</th><th>Ack Time</th><th>End to End</th><th>Checkpointed Size</th><th>Sync</th><th>Async</th><th>Alignment</th><th>Start Delay</th><th>Unaligned</th></tr></thead>
      <tbody>${sub.data.subtasks.map((t) => html`<tr><td>${t.index}</td>${t.status === 'completed'
        ? html`<td>${time(t.ack_timestamp)}</td><td>${duration(t.end_to_end_duration)}</td><td>${bytes(t.checkpointed_size)}</td><td>${duration(t.checkpoint?.sync)}</td><td>${duration(t.checkpoint?.async)}</td><td>${duration(t.alignment?.duration)}</td><td>${duration(t.start_delay)}</td><td>${t.unaligned_checkpoint ? 'yes' : 'no'}</td>`
        : html`<td colspan="8" class="muted">pending or failed</td>`}</tr>`)}</tbody></table>` : null}
  </div>`;
}

function SummaryTable({ s }: { s: CheckpointStats }): VNode {
  const row = (name: string, x: Summary, f: (n: number) => string): VNode => html`<tr><th>${name}</th><td>${f(x.min)}</td><td>${f(x.avg)}</td><td>${f(x.max)}</td><td>${x.p99 !== undefined ? f(x.p99) : '-'}</td></tr>`;
  return html`<table class="list" data-testid="checkpoint-summary"><thead><tr><th></th><th>Minimum</th><th>Average</th><th>Maximum</th><th>p99</th></tr></thead>
    <tbody>${row('End to End Duration', s.summary.end_to_end_duration, duration)}${row('Checkpointed Data Size', s.summary.checkpointed_size, bytes)}
      ${row('Full Checkpoint Data Size', s.summary.state_size, bytes)}${row('Processed in-flight data', s.summary.processed_data, bytes)}${row('Persisted in-flight data', s.summary.persisted_data, bytes)}</tbody></table>`;
}

interface CheckpointConfigInfo {
  mode: string; interval: number; timeout: number; min_pause: number; max_concurrent: number;
  externalization: { enabled: boolean; delete_on_cancellation: boolean }; state_backend: string; checkpoint_storage: string;
  unaligned_checkpoints: boolean; tolerable_failed_checkpoints: number; aligned_checkpoint_timeout: number;
}

function CheckpointConfig({ jid }: { jid: string }): VNode {
  const c = usePoll(() => getJson<CheckpointConfigInfo>(`jobs/${jid}/checkpoints/config`), [jid], { once: true });
  if (c.error) return html`<${ErrorBox} error=${c.error} />`;
  if (!c.data) return html`<${Loading} what="the checkpoint configuration" />`;
  const d = c.data;
  const periodic = d.interval < 9e18;
  return html`<${KeyValueTable} testid="checkpoint-config" rows=${[
    ['Checkpointing Mode', d.mode === 'exactly_once' ? 'Exactly Once' : 'At Least Once'], ['Interval', periodic ? duration(d.interval) : 'Periodic checkpoints disabled'],
    ['Timeout', duration(d.timeout)], ['Minimum Pause Between Checkpoints', duration(d.min_pause)], ['Maximum Concurrent Checkpoints', d.max_concurrent],
    ['Unaligned Checkpoints', d.unaligned_checkpoints ? 'Enabled' : 'Disabled'],
    ['Persist Checkpoints Externally', d.externalization.enabled ? (d.externalization.delete_on_cancellation ? 'Enabled (delete on cancellation)' : 'Enabled (retain on cancellation)') : 'Disabled'],
    ['Tolerable Failed Checkpoints', d.tolerable_failed_checkpoints], ['State Backend', d.state_backend], ['Checkpoint Storage', d.checkpoint_storage]]} />`;
}
