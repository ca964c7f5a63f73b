// web.cancel.enable, web.submit.enable and web.refresh-interval in a real Chromium: two REST
// endpoints on one in-process cluster, one with cancel and submit off. Its job page has no Cancel /
// Stop buttons and its sidebar no Submit page; the other endpoint's UI shows them for the same
// running job, and polls at its refresh interval only while the tab is visible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { MiniCluster } from '../minicluster/MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { RestServerEndpoint } from '../rest/RestServerEndpoint.js';
import { silentRestLogger } from '../rest/RestLogger.js';
import { CHROMIUM_ARGS, findChromium } from '../testing/chromium.js';
import { waitFor } from '../testing/waitFor.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('web-ui-options.browser.test: SKIPPED — no Chromium found (set $CHROMIUM, or apt-get install -y chromium; .ci/run installs it).');

let dir: string;
let cluster: MiniCluster;
let browser: Browser;
const endpoints: RestServerEndpoint[] = [];

async function endpoint(conf: Configuration): Promise<string> {
  const e = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf.setString('rest.port', '0'), uploadDir: join(dir, `uploads-${endpoints.length}`), logger: silentRestLogger });
  endpoints.push(e);
  return `http://127.0.0.1:${(await e.start()).port}`;
}

describe.skipIf(!chromiumPath)('web.cancel.enable / web.submit.enable / web.refresh-interval in the UI', () => {
  let open: string;
  let closed: string;
  let jobId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-webui-options-'));
    cluster = new MiniCluster();
    const te = new TaskExecutor(2, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
      { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
    cluster.addTaskExecutor(te, 2);
    open = await endpoint(new Configuration().setString('web.refresh-interval', '300'));
    closed = await endpoint(new Configuration().setString('web.cancel.enable', 'false').setString('web.submit.enable', 'false'));
    // A running (unbounded) job, submitted as a job file through the endpoint that allows it.
    const form = new FormData();
    form.set('jarfile', new Blob([readFileSync(resolve(import.meta.dirname, 'fixtures', 'checkpointing-job.ts'))]), 'checkpointing-job.ts');
    const { filename } = (await (await fetch(`${open}/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string };
    const run = await fetch(`${open}/jars/${filename.split('/').pop()}/run`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ programArgsList: [`file://${join(dir, 'checkpoints')}`, '1000'] }),
    });
    jobId = ((await run.json()) as { jobid: string }).jobid;
    await waitFor('the job to run', async () => ((await (await fetch(`${open}/jobs/${jobId}`)).json()) as { state: string }).state === 'RUNNING', 30_000, 100);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (jobId) await fetch(`${open}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' }).catch(() => undefined);
    for (const e of endpoints) await e.close();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('with both options off: no Cancel / Stop buttons, no Submit page; with the defaults: both', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${closed}/#/job/${jobId}/overview`);
      await page.getByTestId('job-name').waitFor({ timeout: 15_000 });
      await page.getByTestId('job-graph').waitFor();
      expect(await page.getByTestId('cancel-job').count()).toBe(0);
      expect(await page.getByTestId('stop-job').count()).toBe(0);
      expect(await page.locator('.sidebar nav a', { hasText: 'Submit New Job' }).count()).toBe(0);
      await page.goto(`${closed}/#/submit`);
      await page.getByText('Job submission from the web UI is disabled (web.submit.enable: false).').waitFor({ timeout: 15_000 });

      await page.goto(`${open}/#/job/${jobId}/overview`);
      await page.getByTestId('cancel-job').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('stop-job').count()).toBe(1);
      expect(await page.locator('.sidebar nav a', { hasText: 'Submit New Job' }).count()).toBe(1);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('pages poll at web.refresh-interval while visible, and not at all while the tab is hidden', async () => {
    const page = await browser.newPage();
    const polls: number[] = [];
    page.on('request', (r) => { if (r.url().endsWith('/overview')) polls.push(Date.now()); });
    try {
      await page.goto(`${open}/#/overview`);
      await page.getByTestId('slots-total').waitFor({ timeout: 15_000 });
      await waitFor('a few polls', () => polls.length >= 4, 10_000, 50);
      const setHidden = (hidden: boolean): Promise<void> => page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
      await setHidden(true);
      await new Promise((r) => setTimeout(r, 400));
      const hiddenAt = polls.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(polls.length).toBe(hiddenAt);
      await setHidden(false);
      await waitFor('polling to resume', () => polls.length >= hiddenAt + 3, 10_000, 50);
    } finally {
      await page.close();
    }
  }, 60_000);
});
