// Submit New Job (web.submit.enable): upload a job file (POST /jars/upload), then run it with
// arguments, parallelism and a savepoint to restore (POST /jars/:id/run), or delete it.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { getJson, send, upload } from '../api';
import { ErrorBox, Loading } from '../components';
import { time } from '../format';
import { usePoll } from '../hooks';
import type { JarList, PlanNode } from '../types';
import { PlanGraph } from './graph';

export function SubmitPage(): VNode {
  const jars = usePoll(() => getJson<JarList>('jars'), []);
  const [error, setError] = useState<Error | undefined>();
  const [status, setStatus] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [args, setArgs] = useState('');
  const [parallelism, setParallelism] = useState('');
  const [savepoint, setSavepoint] = useState('');
  const [allowNonRestored, setAllowNonRestored] = useState(false);
  const [plan, setPlan] = useState<PlanNode[] | undefined>();

  const onUpload = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(undefined); setStatus(`Uploading ${file.name}…`);
    try {
      const form = new FormData();
      form.append('jarfile', file, file.name);
      const r = await upload<{ filename: string }>('jars/upload', form);
      setStatus(`Uploaded ${file.name}.`);
      setSelected(r.filename.split('/').pop());
      jars.reload();
    } catch (err) { setError(err as Error); setStatus(''); }
    input.value = '';
  };
  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = { programArgs: args };
    if (parallelism.trim()) b['parallelism'] = Number(parallelism);
    if (savepoint.trim()) b['savepointPath'] = savepoint.trim();
    if (allowNonRestored) b['allowNonRestoredState'] = true;
    return b;
  };
  const showPlan = async (id: string): Promise<void> => {
    setError(undefined); setStatus('Planning…');
    try {
      setPlan((await send<{ plan: { nodes: PlanNode[] } }>('POST', `jars/${encodeURIComponent(id)}/plan`, body())).plan.nodes);
      setStatus('');
    } catch (err) { setError(err as Error); setStatus(''); }
  };
  const run = async (id: string): Promise<void> => {
    setError(undefined); setStatus('Planning and submitting…');
    try {
      const r = await send<{ jobid: string }>('POST', `jars/${encodeURIComponent(id)}/run`, body());
      location.hash = `#/job/${r.jobid}/overview`;
    } catch (err) { setError(err as Error); setStatus(''); }
  };
  const remove = async (id: string): Promise<void> => {
    try { await send('DELETE', `jars/${encodeURIComponent(id)}`); if (selected === id) setSelected(undefined); jars.reload(); } catch (err) { setError(err as Error); }
  };
  return html`<section data-testid="submit-page"><h1>Submit New Job</h1>
    <p class="muted">A job file is a TypeScript or JavaScript ES module (.ts, .mts, .mjs, .js) whose default export is <code>main(args)</code>, as for <code>tsflink run</code>. The JobManager bundles it and runs main to build the job graph.</p>
    <label class="upload">+ Add New<input type="file" accept=".ts,.mts,.mjs,.js" data-testid="job-file-input" onChange=${onUpload} /></label>
    ${status ? html`<div class="notice" data-testid="submit-status">${status}</div>` : null}
    <${ErrorBox} error=${error ?? jars.error} />
    ${jars.data ? (jars.data.files.length === 0 ? html`<div class="empty">No job files uploaded.</div>` : html`<table class="list" data-testid="jar-list">
      <thead><tr><th>Name</th><th>Upload Time</th><th></th></tr></thead>
      <tbody>${jars.data.files.map((f) => html`<tr class=${`clickable${selected === f.id ? ' selected' : ''}`} data-jar-id=${f.id} onClick=${() => { setSelected(f.id); setPlan(undefined); }}>
        <td>${f.name}</td><td>${time(f.uploaded)}</td><td><button onClick=${(e: Event) => { e.stopPropagation(); void remove(f.id); }}>Delete</button></td></tr>`)}</tbody></table>`) : html`<${Loading} what="job files" />`}
    ${selected ? html`<div class="run-form card" data-testid="run-form">
      <h3>Run ${jars.data?.files.find((f) => f.id === selected)?.name ?? selected}</h3>
      <label>Program Arguments<input data-testid="program-args" value=${args} onInput=${(e: Event) => setArgs((e.target as HTMLInputElement).value)} placeholder="--input hdfs:///data --window 10s" /></label>
      <label>Parallelism<input data-testid="parallelism" type="number" min="1" value=${parallelism} onInput=${(e: Event) => setParallelism((e.target as HTMLInputElement).value)} placeholder="parallelism.default" /></label>
      <label>Savepoint Path<input data-testid="savepoint-path" value=${savepoint} onInput=${(e: Event) => setSavepoint((e.target as HTMLInputElement).value)} placeholder="restore from this savepoint or checkpoint" /></label>
      <label class="check"><input type="checkbox" checked=${allowNonRestored} onChange=${(e: Event) => setAllowNonRestored((e.target as HTMLInputElement).checked)} /> Allow Non Restored State</label>
      <div class="actions"><button data-testid="show-plan" onClick=${() => void showPlan(selected)}>Show Plan</button>
        <button class="primary" data-testid="run-job" onClick=${() => void run(selected)}>Submit</button></div>
    </div>` : null}
    ${selected && plan ? html`<h3>Plan</h3><${PlanGraph} nodes=${plan} testid="plan-graph" />` : null}
  </section>`;
}
