// The web UI in a real Chromium (playwright-core driving Debian's chromium) against a standalone
// cluster of real processes on loopback aliases: JobManager on 127.0.0.2 (so REST needs the token),
// TaskManagers on 127.0.0.3 and .4. Jobs: a back-pressured streaming job, a checkpointing job, a
// failing job, and one submitted from the UI. Every page visited is saved under .ci/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ClusterProcesses, freePort } from '../testing/ClusterProcesses.js';
import { CHROMIUM_ARGS, findChromium } from '../testing/chromium.js';
import { waitFor } from '../testing/waitFor.js';
import { packageRoot } from '../configuration/packageRoot.js';
import { nodeColors } from './web-dashboard/src/colors.js';

const fixture = (f: string): string => resolve(import.meta.dirname, 'fixtures', f);
const SCREENSHOTS = join(packageRoot(), '.ci', 'screenshots');

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn('web-ui.browser.test: SKIPPED — no Chromium found (set $CHROMIUM, or apt-get install -y chromium; .ci/run installs it).');
}

interface JobDetails { jid: string; name: string; state: string; vertices: Array<{ id: string; name: string; parallelism: number }> }

let cluster: ClusterProcesses;
let browser: Browser;
let page: Page;
let token: string;
let base: string;
/** Written by the stop-with-savepoint test, restored by the next. */
let savepoint = '';
const jobs: Record<'backpressured' | 'checkpointing' | 'failing', string> = { backpressured: '', checkpointing: '', failing: '' };

async function rest<T>(path: string): Promise<T> { return cluster.get<T>(path); }

async function submit(file: string, args: string[], parallelism = 1): Promise<string> {
  const p = cluster.cli(['run', '-m', cluster.restAddress, '-d', '-p', String(parallelism), fixture(file), ...args]);
  const code = await p.exited;
  const id = /JobID ([0-9a-f]{32})/.exec(p.stdout())?.[1];
  if (code !== 0 || !id) throw new Error(`tsflink run ${file} exited ${code}: ${p.stdout()}\n${p.stderr()}`);
  return id;
}

let shot = 0;
async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${base}/#/${hash}`);
}

describe.skipIf(!chromiumPath)('web UI in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Every process serves Prometheus metrics on a port of one range: the pages link each process's /metrics.
    const prom = await freePort('127.0.0.2');
    cluster = new ClusterProcesses(mkdtempSync(join(tmpdir(), 'tsflink-webui-')), '127.0.0.2', ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s',
      '-D', 'metrics.reporter.prom.factory.class=prometheus', '-D', `metrics.reporter.prom.port=${prom}-${prom + 4}`]);
    await cluster.startJobManager(['-D', 'metrics.fetcher.update-interval=500 ms', '-D', 'web.refresh-interval=1000', '-D', 'restart-strategy.type=none']);
    for (const host of ['127.0.0.3', '127.0.0.4']) {
      // As `tsflink cluster start` does: the process's output goes to the file it serves as its log.
      const log = join(cluster.workDir, `taskmanager-${host}.log`);
      const out = createWriteStream(log, { flags: 'a' });
      const tm = cluster.startTaskManager(host, 3, { TSFLINK_LOG_FILE: log });
      tm.child.stdout.pipe(out);
      tm.child.stderr.pipe(out);
    }
    await cluster.waitForTaskManagers(2);
    token = readFileSync(join(cluster.workDir, 'rest-token'), 'utf8').trim();
    base = `http://${cluster.restAddress}`;
    // 6 slots: the failing job's one, then 2 × 2 for the back-pressured job (two slot sharing groups) and 1 for the checkpointing job; 1 stays for the UI's.
    jobs.failing = await submit('failing-job.ts', []);
    await waitFor('the failing job to fail', async () => (await rest<JobDetails>(`/jobs/${jobs.failing}`)).state === 'FAILED', 30_000, 200);
    [jobs.backpressured, jobs.checkpointing] = await Promise.all([
      submit('backpressured-job.ts', ['5'], 2), submit('checkpointing-job.ts', [`file://${join(cluster.workDir, 'checkpoints')}`, '300']),
    ]);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    // Next to the screenshots (CI artifacts): what the processes said.
    if (cluster) writeFileSync(join(SCREENSHOTS, 'cluster-processes.log'), cluster.dumpLogs());
    await cluster?.dispose();
  }, 60_000);

  it('asks for the REST token, keeps it for the tab, and takes it once from #token= without keeping it in the address', async () => {
    await page.goto(`${base}/`);
    const signin = page.getByTestId('signin');
    await signin.waitFor({ timeout: 15_000 });
    expect(await signin.textContent()).toContain('requires a credential');
    await screenshot('signin');
    await page.getByTestId('token-input').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('slots-total').waitFor({ timeout: 15_000 });

    const second = await browser.newPage();
    try {
      await second.goto(`${base}/#token=${token}`);
      await second.getByTestId('slots-total').waitFor({ timeout: 15_000 });
      expect(second.url()).not.toContain(token);
      expect(second.url()).toContain('#/overview');
    } finally {
      await second.close();
    }
  }, 60_000);

  it('overview shows the numbers REST gives', async () => {
    await open('overview');
    const keys = ['slots-total', 'slots-available', 'taskmanagers', 'jobs-running', 'jobs-finished', 'jobs-cancelled', 'jobs-failed'] as const;
    await waitFor('the overview to match GET /overview', async () => {
      const o = await rest<Record<string, number>>('/overview');
      for (const k of keys) if (Number(await page.getByTestId(k).textContent()) !== o[k]) return false;
      return true;
    }, 30_000, 250);
    expect(Number(await page.getByTestId('slots-total').textContent())).toBe(6);
    expect(Number(await page.getByTestId('taskmanagers').textContent())).toBe(2);
    await page.locator(`[data-testid=running-jobs] tr[data-job-id="${jobs.backpressured}"]`).waitFor();
    await screenshot('overview');
  }, 60_000);

  it('the job graph renders every vertex with its name and parallelism, and the back-pressured vertex in the back-pressure colour', async () => {
    const job = await rest<JobDetails>(`/jobs/${jobs.backpressured}`);
    await open(`job/${job.jid}/overview`);
    const graph = page.getByTestId('job-graph');
    await graph.waitFor({ timeout: 15_000 });
    const nodes = await page.locator('g.node').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-vertex-id'), text: e.textContent ?? '', parallelism: e.querySelector('.node-parallelism')?.textContent })));
    expect(nodes.map((n) => n.id).sort()).toEqual(job.vertices.map((v) => v.id).sort());
    for (const v of job.vertices) {
      const n = nodes.find((x) => x.id === v.id)!;
      expect(n.text).toContain(v.name);
      expect(Number(n.parallelism)).toBe(v.parallelism);
    }
    const source = job.vertices.find((v) => v.name.includes('Fast Source'))!;
    const slow = job.vertices.find((v) => v.name.includes('Slow Map'))!;
    const node = page.locator(`g.node[data-vertex-id="${source.id}"]`);
    // Back-pressured per REST, drawn so in the UI: the fill is Flink's blend, near its grey.
    await waitFor('the source vertex drawn back-pressured', async () => Number(await node.getAttribute('data-backpressured')) >= 50, 45_000, 250);
    const level = await rest<{ backpressureLevel: string }>(`/jobs/${job.jid}/vertices/${source.id}/backpressure`);
    expect(level.backpressureLevel).toBe('high');
    const [busy, bp, fill] = await Promise.all([node.getAttribute('data-busy'), node.getAttribute('data-backpressured'), node.locator('rect').getAttribute('fill')]);
    expect(fill).toBe(nodeColors(Number(busy), Number(bp)).background);
    const grey = Number.parseInt(fill!.slice(1, 3), 16) - Number.parseInt(fill!.slice(5, 7), 16);
    expect(Math.abs(grey), `${fill} is far from the back-pressure grey`).toBeLessThan(60);
    // The sleeping map is the busy one (red side), not back-pressured.
    const slowNode = page.locator(`g.node[data-vertex-id="${slow.id}"]`);
    await waitFor('the slow map drawn busy', async () => Number(await slowNode.getAttribute('data-busy')) >= 50, 30_000, 250);
    await screenshot('job-graph');

    await node.click();
    await page.getByTestId('subtasks').waitFor();
    expect(await page.locator('[data-testid=subtasks] tbody tr').count()).toBe(source.parallelism);
    await screenshot('vertex-subtasks');
    await page.locator('[data-tab=backpressure]').click();
    await waitFor('the back-pressure tab', async () => (await page.getByTestId('backpressure-level').textContent().catch(() => '')) === 'HIGH', 15_000, 250);
    await screenshot('vertex-backpressure');
    await page.locator('[data-tab=watermarks]').click();
    await page.locator('[data-tab=metrics]').click();
    await page.getByTestId('metric-select').selectOption({ label: '0.numRecordsOutPerSecond' }).catch(async () => {
      const ids = await rest<Array<{ id: string }>>(`/jobs/${job.jid}/vertices/${source.id}/metrics`);
      throw new Error(`no 0.numRecordsOutPerSecond among ${ids.map((m) => m.id).join(', ')}`);
    });
    await page.locator('.metric-chart[data-metric="0.numRecordsOutPerSecond"] .metric-value').filter({ hasNotText: '-' }).waitFor({ timeout: 10_000 });
    await screenshot('vertex-metrics');
  }, 120_000);

  it('checkpoint history lists the completed checkpoints', async () => {
    await waitFor('two completed checkpoints', async () => (await rest<{ counts: { completed: number } }>(`/jobs/${jobs.checkpointing}/checkpoints`)).counts.completed >= 2, 30_000, 200);
    await open(`job/${jobs.checkpointing}/checkpoints/history`);
    await page.getByTestId('checkpoint-history').waitFor({ timeout: 15_000 });
    const stats = await rest<{ history: Array<{ id: number; status: string }> }>(`/jobs/${jobs.checkpointing}/checkpoints`);
    const completed = stats.history.filter((h) => h.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    for (const c of completed.slice(-2)) {
      const row = page.locator(`[data-testid=checkpoint-history] tr[data-checkpoint-id="${c.id}"]`);
      await row.waitFor();
      expect(await row.locator('[data-state]').getAttribute('data-state')).toBe('COMPLETED');
    }
    await screenshot('checkpoint-history');
    await page.locator(`[data-testid=checkpoint-history] tr[data-checkpoint-id="${completed[0]!.id}"]`).click();
    await page.locator('.cp-detail tbody tr').first().click();
    await page.getByTestId('checkpoint-subtasks').waitFor();
    expect(await page.locator('[data-testid=checkpoint-subtasks] tbody tr').count()).toBeGreaterThan(0);
    await screenshot('checkpoint-detail');
    await open(`job/${jobs.checkpointing}/checkpoints/overview`);
    await waitFor('the completed count', async () => Number(await page.getByTestId('checkpoints-completed').textContent().catch(() => '0')) >= 2, 15_000, 200);
    await open(`job/${jobs.checkpointing}/checkpoints/configuration`);
    await page.getByTestId('checkpoint-config').waitFor();
    expect(await page.getByTestId('checkpoint-config').textContent()).toContain('Exactly Once');
    await screenshot('checkpoint-config');
  }, 90_000);

  it("the exceptions page shows the failing job's error with the user's stack", async () => {
    await waitFor('the failing job to fail', async () => (await rest<JobDetails>(`/jobs/${jobs.failing}`)).state === 'FAILED', 30_000, 200);
    await open(`job/${jobs.failing}/exceptions`);
    await page.getByTestId('exceptions').waitFor({ timeout: 15_000 });
    const stack = page.getByTestId('exception-stack').first();
    await stack.waitFor();
    const text = (await stack.textContent()) ?? '';
    expect(text).toContain('Malformed temperature reading #100');
    expect(text).toContain('parseTemperatureReading');
    await screenshot('exceptions');
  }, 60_000);

  it('TaskManager logs load', async () => {
    const tms = await rest<{ taskmanagers: Array<{ id: string }> }>('/taskmanagers');
    await open('task-manager');
    await page.getByTestId('taskmanagers').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=taskmanagers] tbody tr').count()).toBe(2);
    // Each TaskManager's Prometheus endpoint, as REST /taskmanagers gives it.
    const withReporters = await rest<{ taskmanagers: Array<{ id: string; metricReporters: Array<{ host: string; port: number }> }> }>('/taskmanagers');
    for (const t of withReporters.taskmanagers) {
      const r = t.metricReporters[0]!;
      expect(await page.locator(`tr[data-tm-id="${t.id}"] [data-testid=metric-reporters] a`).getAttribute('href')).toBe(`http://${r.host}:${r.port}/metrics`);
    }
    await screenshot('taskmanagers');
    const id = tms.taskmanagers[0]!.id;
    await page.locator(`tr[data-tm-id="${id}"]`).click();
    await page.locator('[data-tab=logs]').click();
    const log = page.getByTestId('tm-log');
    await log.waitFor({ timeout: 15_000 });
    const served = await (await fetch(`${base}/taskmanagers/${encodeURIComponent(id)}/log`, { headers: { authorization: `Bearer ${token}` } })).text();
    const firstLine = served.split('\n').find((l) => l.trim() !== '')!;
    expect(firstLine).toBeTruthy();
    expect(await log.textContent()).toContain(firstLine);
    await screenshot('taskmanager-log');
    await page.locator('[data-tab=metrics]').click();
    await page.getByTestId('tm-metrics').waitFor({ timeout: 15_000 });
    await screenshot('taskmanager-metrics');
    await open('job-manager/metrics');
    await page.getByTestId('jm-metrics').waitFor({ timeout: 15_000 });
    const [jmReporter] = (await rest<{ reporters: Array<{ host: string; port: number }> }>('/jobmanager/metric-reporters')).reporters;
    expect(jmReporter!.host).toBe('127.0.0.2');
    await page.locator('[data-testid=metric-reporters] a').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=metric-reporters] a').getAttribute('href')).toBe(`http://127.0.0.2:${jmReporter!.port}/metrics`);
    expect((await fetch(`http://127.0.0.2:${jmReporter!.port}/metrics`).then((r) => r.text()))).toContain('flink_jobmanager_numRegisteredTaskManagers');
    await open('job-manager/config');
    await page.getByTestId('jm-config').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('jm-config').textContent()).toContain('rest.bind-address');
    await screenshot('jobmanager-config');
    await page.locator('[data-tab=thread-dump]').click();
    const dump = await rest<{ threadInfos: Array<{ threadName: string }> }>('/jobmanager/thread-dump');
    await page.getByTestId('thread-dump').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('thread-dump').textContent()).toContain(dump.threadInfos[0]!.threadName);
  }, 60_000);

  it('submitting a job file from the UI runs it', async () => {
    await open('submit');
    await page.getByTestId('submit-page').waitFor({ timeout: 15_000 });
    await page.getByTestId('job-file-input').setInputFiles(fixture('submitted-job.ts'));
    await page.getByTestId('run-form').waitFor({ timeout: 15_000 });
    await page.getByTestId('program-args').fill('from-browser 300');
    await page.getByTestId('show-plan').click();
    await page.getByTestId('plan-graph').waitFor({ timeout: 30_000 });
    const planned = await page.locator('[data-testid=plan-graph] g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
    expect(planned).toHaveLength(2);
    expect(planned.some((n) => n.includes('Numbers')) && planned.some((n) => n.includes('Double'))).toBe(true);
    await screenshot('submit');
    await page.getByTestId('run-job').click();
    await page.waitForURL(/#\/job\/[0-9a-f]{32}\/overview/, { timeout: 60_000 });
    const jid = /#\/job\/([0-9a-f]{32})/.exec(page.url())![1]!;
    await waitFor('the submitted job to finish', async () => (await rest<JobDetails>(`/jobs/${jid}`)).state === 'FINISHED', 60_000, 250);
    expect((await rest<JobDetails>(`/jobs/${jid}`)).name).toBe('submitted from-browser');
    await waitFor('the UI to show FINISHED', async () => (await page.getByTestId('job-name').textContent()) === 'submitted from-browser'
      && (await page.locator('.job-title [data-state]').getAttribute('data-state')) === 'FINISHED', 15_000, 250);
  }, 120_000);

  it('timeline and configuration tabs', async () => {
    const job = await rest<JobDetails>(`/jobs/${jobs.checkpointing}`);
    await open(`job/${job.jid}/timeline`);
    await page.getByTestId('timeline').waitFor({ timeout: 15_000 });
    await waitFor('a bar per vertex', async () => (await page.locator('.tl-row').count()) === job.vertices.length, 15_000, 100);
    for (const v of job.vertices) expect(await page.getByTestId('timeline').textContent()).toContain(v.name);
    await page.locator('.tl-row').first().click();
    await page.locator('.tl-bar.phase-running').first().waitFor({ timeout: 15_000 });
    await screenshot('timeline');
    await open(`job/${job.jid}/configuration`);
    await page.getByTestId('job-config').waitFor({ timeout: 15_000 });
    const config = await rest<{ 'execution-config': { 'execution-mode': string } }>(`/jobs/${job.jid}/config`);
    expect(await page.getByTestId('job-config').textContent()).toContain(config['execution-config']['execution-mode']);
  }, 60_000);

  it('stop with savepoint: the savepoint location is shown and the job finishes', async () => {
    await open(`job/${jobs.checkpointing}/overview`);
    await page.getByTestId('stop-job').click();
    await page.locator('.stop-form input').fill(`file://${join(cluster.workDir, 'savepoints')}`);
    await page.getByTestId('stop-confirm').click();
    await waitFor('the savepoint location', async () => ((await page.getByTestId('action-status').textContent().catch(() => '')) ?? '').startsWith('Stopped; savepoint at'), 45_000, 250);
    const status = (await page.getByTestId('action-status').textContent())!;
    expect(status).toContain(join(cluster.workDir, 'savepoints'));
    savepoint = status.replace('Stopped; savepoint at ', '').trim();
    await waitFor('the job to finish', async () => (await rest<JobDetails>(`/jobs/${jobs.checkpointing}`)).state === 'FINISHED', 30_000, 250);
  }, 90_000);

  it('a job file submitted from the UI with a savepoint path restores from it', async () => {
    expect(savepoint).not.toBe('');
    await open('submit');
    await page.getByTestId('job-file-input').setInputFiles(fixture('checkpointing-job.ts'));
    await page.getByTestId('run-form').waitFor({ timeout: 15_000 });
    await page.getByTestId('program-args').fill(`file://${join(cluster.workDir, 'checkpoints-2')} 300`);
    await page.getByTestId('savepoint-path').fill(savepoint);
    await page.getByTestId('run-job').click();
    await page.waitForURL(/#\/job\/[0-9a-f]{32}\/overview/, { timeout: 60_000 });
    const jid = /#\/job\/([0-9a-f]{32})/.exec(page.url())![1]!;
    type Restored = { latest: { restored: { is_savepoint: boolean; external_path: string | null } | null } };
    await waitFor('the job restored from the savepoint', async () => (await rest<Restored>(`/jobs/${jid}/checkpoints`)).latest.restored !== null, 30_000, 250);
    const restored = (await rest<Restored>(`/jobs/${jid}/checkpoints`)).latest.restored!;
    expect(restored.is_savepoint).toBe(true);
    expect(restored.external_path?.replace(/^file:\/\//, '').replace(/\/$/, '')).toBe(savepoint.replace(/^file:\/\//, '').replace(/\/$/, ''));
    // Shown on the job's checkpoint overview as the latest restore.
    await open(`job/${jid}/checkpoints/overview`);
    await waitFor('the restore on the checkpoint overview', async () => ((await page.getByTestId('checkpoints').textContent()) ?? '').includes(restored.external_path!), 15_000, 250);
    await fetch(`${base}/jobs/${jid}?mode=cancel`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } });
  }, 90_000);

  it('cancel works', async () => {
    await open(`job/${jobs.backpressured}/overview`);
    await page.getByTestId('cancel-job').waitFor({ timeout: 15_000 });
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('cancel-job').click();
    await waitFor('the job to be CANCELED', async () => (await rest<JobDetails>(`/jobs/${jobs.backpressured}`)).state === 'CANCELED', 45_000, 250);
    await waitFor('the UI to show CANCELED', async () => (await page.locator('.job-title [data-state]').getAttribute('data-state')) === 'CANCELED', 15_000, 250);
    expect(await page.getByTestId('cancel-job').count()).toBe(0);
    await screenshot('canceled');
  }, 90_000);

  it('the Schedules page lists a schedule; Trigger Now starts a run whose job succeeds', async () => {
    const yaml = join(cluster.workDir, 'ui-etl.yaml');
    const table = join(cluster.workDir, 'etl-out');
    writeFileSync(yaml, ['name: ui-etl', `job: ${resolve(import.meta.dirname, '../schedule/fixtures/partition-job.ts')}`, 'cron: "0 3 * * *"', 'timezone: UTC',
      `args: ["{{output}}", "{{interval_start}}", "${join(cluster.workDir, 'no-failure-marker')}", "0"]`, `output: { path: "${table}/dt={{interval_start}}" }`, ''].join('\n'));
    const created = cluster.cli(['schedule', 'create', yaml, '-m', cluster.restAddress]);
    expect(await created.exited, created.stderr()).toBe(0);
    await open('schedules');
    await page.locator('[data-testid=schedules] a', { hasText: 'ui-etl' }).click();
    await page.getByTestId('schedule-page').waitFor({ timeout: 15_000 });
    await waitFor('the schedule\'s details', async () => ((await page.getByTestId('schedule-page').textContent()) ?? '').includes('0 3 * * *'), 15_000, 100);
    await page.getByRole('button', { name: 'Trigger Now' }).click();
    const jobLink = page.locator('[data-testid=schedule-runs] a').first();
    await jobLink.waitFor({ timeout: 30_000 });
    const jid = (await jobLink.textContent())!.trim();
    await waitFor('the run to succeed', async () => {
      const runs = await rest<{ runs: Array<{ jobId: string | null; state: string }> }>('/schedules/ui-etl/runs');
      return runs.runs.some((r) => r.jobId === jid && r.state === 'SUCCEEDED');
    }, 60_000, 250);
    await waitFor('the UI to show SUCCEEDED', async () => (await page.locator('[data-testid=schedule-runs] [data-state=SUCCEEDED]').count()) > 0, 15_000, 250);
    await screenshot('schedule');
  }, 120_000);

  it('works under a path prefix, as behind YARN\'s web proxy: every request stays under it', async () => {
    // A stand-in for YARN's proxy: /proxy/<application id>/… → the JobManager's /… (headers passed on).
    const prefix = '/proxy/application_1700000000000_0001';
    const upstream = new URL(base);
    const proxy = createServer((req, res) => {
      if (!req.url?.startsWith(`${prefix}/`)) { res.writeHead(404).end('not under the proxy prefix'); return; }
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url.slice(prefix.length), headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxied = await browser.newPage();
    const urls: string[] = [];
    proxied.on('request', (r) => urls.push(r.url()));
    try {
      const at = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${prefix}/`;
      await proxied.goto(`${at}#token=${token}`);
      await proxied.getByTestId('slots-total').waitFor({ timeout: 15_000 });
      await proxied.goto(`${at}#/task-manager`);
      await proxied.getByTestId('taskmanagers').waitFor({ timeout: 15_000 });
      expect(urls.length).toBeGreaterThan(5);
      expect(urls.filter((u) => !u.startsWith(at))).toEqual([]);
    } finally {
      await proxied.close();
      await new Promise((r) => proxy.close(r));
    }
  }, 60_000);
});
