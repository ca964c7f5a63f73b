// Task Managers (list; detail: metrics, logs, stdout, log list, thread dump) and Job Manager
// (configuration, metrics, logs, stdout, log list).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { getJson } from '../api';
import { ConfigTable, ErrorBox, KeyValueTable, Loading, Tabs, TextViewer } from '../components';
import { bytes, metricValue, time } from '../format';
import { usePoll } from '../hooks';
import type { LogList, MetricReporter, MetricValue, TaskManager, ThreadDump } from '../types';

export function TaskManagersPage(): VNode {
  const tms = usePoll(() => getJson<{ taskmanagers: TaskManager[] }>('taskmanagers'), []);
  return html`<section><h1>Task Managers</h1><${ErrorBox} error=${tms.error} />
    ${tms.data ? html`<table class="list" data-testid="taskmanagers">
      <thead><tr><th>ID</th><th>Address</th><th>Data Port</th><th>Last Heartbeat</th><th>All Slots</th><th>Free Slots</th><th>CPU Cores</th><th>Physical Memory</th><th>Free Memory</th><th>Metrics</th></tr></thead>
      <tbody>${tms.data.taskmanagers.map((t) => html`<tr class="clickable" data-tm-id=${t.id} onClick=${() => { location.hash = `#/task-manager/${encodeURIComponent(t.id)}/metrics`; }}>
        <td class="mono"><a href=${`#/task-manager/${encodeURIComponent(t.id)}/metrics`}>${t.id}</a></td><td class="mono">${t.path}</td><td>${t.dataPort}</td>
        <td>${time(t.timeSinceLastHeartbeat)}</td><td>${t.slotsNumber}</td><td>${t.freeSlots}</td><td>${t.hardware.cpuCores}</td>
        <td>${bytes(t.hardware.physicalMemory)}</td><td>${bytes(t.hardware.freeMemory)}</td><td><${ReporterLinks} reporters=${t.metricReporters} /></td></tr>`)}</tbody></table>` : html`<${Loading} what="TaskManagers" />`}
  </section>`;
}

/** A process's Prometheus endpoints (each JobManager / TaskManager serves its own /metrics). */
function ReporterLinks({ reporters }: { reporters: MetricReporter[] | undefined }): VNode {
  if (!reporters || reporters.length === 0) return html`<span class="muted">-</span>`;
  return html`<span data-testid="metric-reporters">${reporters.map((r) => {
    const url = `http://${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}/metrics`;
    return html`<a class="mono" href=${url} target="_blank" rel="noopener" onClick=${(e: Event) => e.stopPropagation()} title=${`metric reporter '${r.name}'`}>${url}</a> `;
  })}</span>`;
}

const TM_TABS = [{ id: 'metrics', title: 'Metrics' }, { id: 'logs', title: 'Logs' }, { id: 'stdout', title: 'Stdout' }, { id: 'log-list', title: 'Log List' }, { id: 'thread-dump', title: 'Thread Dump' }];

/** TaskManager process metrics (Flink's Status.JVM.* names where tsflink has them), all listed. */
function MetricList({ path, testid }: { path: string; testid: string }): VNode {
  const ids = usePoll(() => getJson<MetricValue[]>(path), [path], { once: true });
  const names = (ids.data ?? []).map((m) => m.id);
  const values = usePoll(() => (names.length ? getJson<MetricValue[]>(`${path}?get=${names.map(encodeURIComponent).join(',')}`) : Promise.resolve([])), [path, names.join(',')]);
  return html`<div><${ErrorBox} error=${ids.error ?? values.error} />
    ${values.data ? html`<table class="list" data-testid=${testid}><thead><tr><th>Metric</th><th>Value</th></tr></thead>
      <tbody>${values.data.map((m) => html`<tr><td class="mono">${m.id}</td><td class="mono">${fmtMetric(m.id, m.value)}</td></tr>`)}</tbody></table>` : html`<${Loading} what="metrics" />`}</div>`;
}

function fmtMetric(id: string, v: string | undefined): string {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n)) return v ?? '-';
  return /Memory|Heap|Bytes|RSS|\.Used$|\.Committed$|\.Max$/.test(id) && n > 1024 ? `${v} (${bytes(n)})` : metricValue(v);
}

function LogListView({ base, link }: { base: string; link: (name: string) => string }): VNode {
  const l = usePoll(() => getJson<LogList>(`${base}/logs`), [base], { once: true });
  if (l.error) return html`<${ErrorBox} error=${l.error} />`;
  if (!l.data) return html`<${Loading} what="log files" />`;
  return html`<table class="list" data-testid="log-list"><thead><tr><th>Log Name</th><th>Size</th><th>Modified</th></tr></thead>
    <tbody>${l.data.logs.map((f) => html`<tr><td><a href=${link(f.name)}>${f.name}</a></td><td>${bytes(f.size)}</td><td>${time(f.mtime)}</td></tr>`)}</tbody></table>`;
}

export function TaskManagerPage({ id, route }: { id: string; route: string[] }): VNode {
  const tab = route[0] === 'log-file' ? 'log-list' : TM_TABS.some((t) => t.id === route[0]) ? route[0]! : 'metrics';
  const base = `taskmanagers/${encodeURIComponent(id)}`;
  const tm = usePoll(() => getJson<TaskManager & { allocatedSlots?: Array<{ jobId: string }> }>(base), [base]);
  return html`<section data-testid="taskmanager-page"><h1>Task Manager <span class="mono small">${id}</span></h1>
    <${ErrorBox} error=${tm.error} />
    ${tm.data ? html`<${KeyValueTable} rows=${[['Address', html`<span class="mono">${tm.data.path}</span>`], ['Slots', `${tm.data.freeSlots} free of ${tm.data.slotsNumber}`],
      ['CPU Cores', tm.data.hardware.cpuCores], ['Physical Memory', bytes(tm.data.hardware.physicalMemory)], ['Last Heartbeat', time(tm.data.timeSinceLastHeartbeat)],
      ['Metric Reporters', html`<${ReporterLinks} reporters=${tm.data.metricReporters} />`],
      ...(tm.data.logUrl ? [['Container Logs', html`<a href=${tm.data.logUrl} target="_blank" rel="noopener">${tm.data.logUrl}</a>`] as [string, VNode]] : [])]} />` : null}
    <${Tabs} tabs=${TM_TABS} active=${tab} href=${(t: string) => `#/task-manager/${encodeURIComponent(id)}/${t}`} />
    ${tab === 'metrics' ? html`<${MetricList} path=${`${base}/metrics`} testid="tm-metrics" />` : null}
    ${tab === 'logs' ? html`<${TextViewer} path=${`${base}/log`} testid="tm-log" />` : null}
    ${tab === 'stdout' ? html`<${TextViewer} path=${`${base}/stdout`} testid="tm-stdout" />` : null}
    ${tab === 'log-list' && route[0] !== 'log-file' ? html`<${LogListView} base=${base} link=${(n: string) => `#/task-manager/${encodeURIComponent(id)}/log-file/${encodeURIComponent(n)}`} />` : null}
    ${route[0] === 'log-file' && route[1] ? html`<${TextViewer} path=${`${base}/logs/${encodeURIComponent(route[1])}`} testid="tm-log-file" />` : null}
    ${tab === 'thread-dump' ? html`<${ThreadDumpView} path=${`${base}/thread-dump`} />` : null}
  </section>`;
}

function ThreadDumpView({ path }: { path: string }): VNode {
  const d = usePoll(() => getJson<ThreadDump>(path), [path], { once: true });
  if (d.error) return html`<${ErrorBox} error=${d.error} />`;
  if (!d.data) return html`<${Loading} what="the thread dump" />`;
  return html`<div data-testid="thread-dump">${d.data.threadInfos.map((t) => html`<h3>${t.threadName}</h3><pre class="log">${t.stringifiedThreadInfo}</pre>`)}</div>`;
}

const JM_TABS = [{ id: 'config', title: 'Configuration' }, { id: 'metrics', title: 'Metrics' }, { id: 'logs', title: 'Logs' }, { id: 'stdout', title: 'Stdout' }, { id: 'log-list', title: 'Log List' }, { id: 'thread-dump', title: 'Thread Dump' }];

function JobManagerReporters(): VNode {
  const r = usePoll(() => getJson<{ reporters: MetricReporter[] }>('jobmanager/metric-reporters'), [], { once: true });
  return html`<p>Metric reporters: <${ReporterLinks} reporters=${r.data?.reporters} /></p>`;
}

export function JobManagerPage({ route }: { route: string[] }): VNode {
  const tab = route[0] === 'log-file' ? 'log-list' : JM_TABS.some((t) => t.id === route[0]) ? route[0]! : 'config';
  const conf = usePoll(() => (tab === 'config' ? getJson<Array<{ key: string; value: string }>>('jobmanager/config') : Promise.resolve(undefined)), [tab], { once: true });
  return html`<section data-testid="jobmanager-page"><h1>Job Manager</h1>
    <${Tabs} tabs=${JM_TABS} active=${tab} href=${(t: string) => `#/job-manager/${t}`} />
    ${tab === 'config' ? html`<div><${ErrorBox} error=${conf.error} />${conf.data ? html`<${ConfigTable} entries=${conf.data} testid="jm-config" />` : html`<${Loading} what="the configuration" />`}</div>` : null}
    ${tab === 'metrics' ? html`<div><${JobManagerReporters} /><${MetricList} path="jobmanager/metrics" testid="jm-metrics" /></div>` : null}
    ${tab === 'logs' ? html`<${TextViewer} path="jobmanager/log" testid="jm-log" />` : null}
    ${tab === 'stdout' ? html`<${TextViewer} path="jobmanager/stdout" testid="jm-stdout" />` : null}
    ${tab === 'log-list' && route[0] !== 'log-file' ? html`<${LogListView} base="jobmanager" link=${(n: string) => `#/job-manager/log-file/${encodeURIComponent(n)}`} />` : null}
    ${route[0] === 'log-file' && route[1] ? html`<${TextViewer} path=${`jobmanager/logs/${encodeURIComponent(route[1])}`} testid="jm-log-file" />` : null}
    ${tab === 'thread-dump' ? html`<${ThreadDumpView} path="jobmanager/thread-dump" />` : null}
  </section>`;
}
