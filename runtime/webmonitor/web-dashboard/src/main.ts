// The tsflink web dashboard: Flink's pages over tsflink's REST API (docs/web-ui.md).
import { html, render } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, onAuthRequired, setToken, takeTokenFromLocation, token } from './api';
import { ErrorBox, Loading } from './components';
import { RefreshInterval, usePoll, useRoute } from './hooks';
import { JobManagerPage, TaskManagerPage, TaskManagersPage } from './pages/cluster';
import { JobPage } from './pages/job';
import { JobListPage, OverviewPage } from './pages/jobs';
import { SchedulePage, SchedulesPage } from './pages/schedules';
import { SubmitPage } from './pages/submit';
import type { DashboardConfig } from './types';

function SignIn({ message, onDone }: { message: string; onDone: () => void }): VNode {
  const [value, setValue] = useState('');
  return html`<div class="signin card" data-testid="signin">
    <h2>This cluster needs its REST token</h2>
    <p class="muted">${message}</p>
    <p>Paste the token (the <code>rest-token</code> file in the cluster's work dir; on YARN, the application's staging directory). It is kept in this browser tab only.</p>
    <form onSubmit=${(e: Event) => { e.preventDefault(); setToken(value); onDone(); }}>
      <input type="password" data-testid="token-input" autocomplete="off" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} placeholder="REST token" />
      <button class="primary" type="submit">Sign in</button>
    </form>
  </div>`;
}

const NAV: Array<[string, string, (c: DashboardConfig) => boolean]> = [
  ['overview', 'Overview', () => true], ['job/running', 'Running Jobs', () => true], ['job/completed', 'Completed Jobs', () => true],
  ['task-manager', 'Task Managers', () => true], ['job-manager/config', 'Job Manager', () => true],
  ['submit', 'Submit New Job', (c) => c.features['web-submit']], ['schedules', 'Schedules', () => true],
];

/** Job lists are told apart by their second segment; the other sections by their first. */
function isActive(path: string, here: string): boolean {
  return path.startsWith('job/') ? here.startsWith(path) : here.split('/')[0] === path.split('/')[0];
}

function Page({ route, config }: { route: string[]; config: DashboardConfig }): VNode {
  const [a, b, ...rest] = route;
  switch (a) {
    case 'job':
      if (b === 'running' || b === 'completed') return rest[0] ? html`<${JobPage} jid=${rest[0]} route=${rest.slice(1)} config=${config} />` : html`<${JobListPage} completed=${b === 'completed'} />`;
      return b ? html`<${JobPage} jid=${b} route=${rest} config=${config} />` : html`<${JobListPage} completed=${false} />`;
    case 'task-manager': return b ? html`<${TaskManagerPage} id=${b} route=${rest} />` : html`<${TaskManagersPage} />`;
    case 'job-manager': return html`<${JobManagerPage} route=${b ? [b, ...rest] : []} />`;
    case 'submit': return config.features['web-submit'] ? html`<${SubmitPage} />` : html`<div class="empty">Job submission from the web UI is disabled (web.submit.enable: false).</div>`;
    case 'schedules': return b ? html`<${SchedulePage} name=${b} />` : html`<${SchedulesPage} />`;
    default: return html`<${OverviewPage} />`;
  }
}

function App(): VNode {
  const route = useRoute();
  const [authMessage, setAuthMessage] = useState<string | undefined>();
  const [session, setSession] = useState(0);
  useEffect(() => onAuthRequired((m) => setAuthMessage(m)), []);
  const config = usePoll(() => getJson<DashboardConfig>('config'), [session], { once: true });
  const c = config.data;
  const here = route.join('/');
  return html`<div class="app">
    <aside class="sidebar">
      <div class="brand"><img src="web/logo.svg" alt="" width="28" height="28" /><span>tsflink</span></div>
      <nav>${NAV.filter(([, , on]) => !c || on(c)).map(([path, title]) => html`<a href=${`#/${path}`} class=${isActive(path, here) ? 'active' : ''}>${title}</a>`)}</nav>
      <div class="version muted">${c ? `Version ${c['flink-version']}` : ''}${token() ? html`<br /><a href="#" onClick=${(e: Event) => { e.preventDefault(); setToken(null); setSession(session + 1); }}>Forget token</a>` : null}</div>
    </aside>
    <main class="content">
      ${authMessage !== undefined ? html`<${SignIn} message=${authMessage} onDone=${() => { setAuthMessage(undefined); setSession(session + 1); }} />`
        : c ? html`<${RefreshInterval.Provider} value=${Math.max(500, c['refresh-interval'])}><${Page} key=${session} route=${route} config=${c} /><//>`
        : config.error ? html`<${ErrorBox} error=${config.error} />` : html`<${Loading} what="the dashboard" />`}
    </main>
  </div>`;
}

takeTokenFromLocation();
render(html`<${App} />`, document.getElementById('app')!);
