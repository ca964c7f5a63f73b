/**
 * The web UI of a `tsflink yarn-session` in Chromium, through the ResourceManager's web proxy (the
 * tracking URL YARN shows): pages load without a token (the AM trusts read-only requests from the
 * proxy) and every request stays under /proxy/<application id>/; an action through the proxy reports
 * the server's refusal instead of asking for a token; at the AM's own address the UI takes the token
 * from #token= and can act. An application cluster serves no job submission, as in Flink.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { parseApplicationId, type ApplicationId, type YarnClient } from '../../yarn-am/protocols/index.js';
import { FIXTURES, REPO, httpGet, setupYarnTestCluster, tsflink, webhdfs, type ClusterInfo } from './harness.js';
import { CHROMIUM_ARGS, findChromium } from '../../runtime/testing/chromium.js';
import { waitFor } from '../../runtime/testing/waitFor.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('yarn-web-ui.test: SKIPPED — no Chromium found (set $CHROMIUM, or apt-get install -y chromium; .ci/run installs it).');
const SCREENSHOTS = join(REPO, '.ci', 'screenshots');

let cluster: ClusterInfo;
let yarn: YarnClient;
let sessionId: ApplicationId | undefined;
let browser: Browser | undefined;

describe.skipIf(!chromiumPath)('web UI of a YARN session', () => {
  beforeAll(async () => {
    ({ cluster, yarn } = await setupYarnTestCluster());
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    // never leave a session running on the shared cluster
    if (sessionId) await yarn.killApplication(sessionId).catch(() => undefined);
    yarn?.close();
  });

  it('works through the ResourceManager web proxy read-only, and with the token at the AM\'s address', async () => {
    const propsDir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-props-'));
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '512', '-s', '1', '-nm', 'web-ui-it', '-D', `yarn.properties-file.location=${propsDir}`]);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const direct = /JobManager Web Interface: (http:\/\/\S+)/.exec(s.stdout)![1]!;
    const id = /applicationID=(\S+)/.exec(readFileSync(join(propsDir, `.yarn-properties-${userInfo().username}`), 'utf8'))![1]!;
    sessionId = parseApplicationId(id);
    const report = await yarn.getApplicationReport(sessionId);
    const proxied = `${cluster.resourceManagerWeb}/proxy/${id}/`;
    expect(report.trackingUrl).toContain(`/proxy/${id}`);

    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(proxied);
    await page.getByTestId('slots-total').waitFor({ timeout: 30_000 });
    await page.getByTestId('jobs-running').waitFor();
    expect(await page.getByTestId('signin').count()).toBe(0);
    await page.goto(`${proxied}#/job-manager/config`);
    await page.getByTestId('jm-config').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('jm-config').textContent()).toContain(`high-availability.cluster-id${id}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'yarn-proxy-jobmanager-config.png'), fullPage: true });
    expect(urls.filter((u) => !u.startsWith(proxied))).toEqual([]);

    // An action through the proxy: refused (the proxy passes no Authorization), reported on the page, no sign-in.
    await page.goto(`${proxied}#/submit`);
    await page.getByTestId('job-file-input').setInputFiles(join(REPO, 'runtime', 'webmonitor', 'fixtures', 'submitted-job.ts'));
    await page.locator('.error-box').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('signin').count()).toBe(0);
    await page.close();

    // At the AM's own address with the token from the staging directory: the UI can act.
    const token = (await (await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${id}/rest-token`, 'OPEN')).text()).trim();
    const own = await browser!.newPage();
    await own.goto(`${direct}/#token=${token}`);
    await own.getByTestId('slots-total').waitFor({ timeout: 30_000 });
    await own.goto(`${direct}/#/submit`);
    // No esbuild in containers: a TypeScript job file is refused with what to do instead, a JavaScript one runs.
    await own.getByTestId('job-file-input').setInputFiles(join(REPO, 'runtime', 'webmonitor', 'fixtures', 'submitted-job.ts'));
    await own.getByTestId('run-form').waitFor({ timeout: 30_000 });
    await own.getByTestId('run-job').click();
    await own.locator('.error-box', { hasText: 'cannot compile TypeScript job files' }).waitFor({ timeout: 60_000 });
    await own.getByTestId('job-file-input').setInputFiles(join(REPO, 'runtime', 'webmonitor', 'fixtures', 'submitted-job.mjs'));
    await own.locator('[data-testid=run-form] h3', { hasText: 'submitted-job.mjs' }).waitFor({ timeout: 30_000 });
    await own.getByTestId('program-args').fill('on-yarn 200');
    await own.getByTestId('run-job').click();
    await own.waitForURL(/#\/job\/[0-9a-f]{32}\/overview/, { timeout: 120_000 });
    await waitFor('the job to show FINISHED', async () => (await own.locator('.job-title [data-state]').getAttribute('data-state').catch(() => '')) === 'FINISHED', 180_000, 500);
    expect(await own.getByTestId('job-name').textContent()).toBe('submitted on-yarn');
    await own.close();

    await yarn.killApplication(sessionId);
    sessionId = undefined;
  }, 420_000);

  it('an application cluster offers no job submission: no Submit page, /jars not served (as Flink)', async () => {
    const d = await tsflink(['yarn-application', '-d', '-p', '1', '-s', '1', '-jm', '512', '-tm', '512', '-nm', 'web-ui-app-it',
      join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}/tmp/tsflink-yarn-web-ui/${Date.now()}`, '1000000000', '20']);
    expect(d.code, `${d.stdout}\n${d.stderr}`).toBe(0);
    const id = /Application (application_\d+_\d+) is RUNNING/.exec(d.stdout)![1]!;
    sessionId = parseApplicationId(id);
    const proxied = `${cluster.resourceManagerWeb}/proxy/${id}/`;
    const config = JSON.parse((await httpGet(`${proxied}config`)).text) as { features: { 'web-submit': boolean; 'web-cancel': boolean } };
    expect(config.features).toMatchObject({ 'web-submit': false, 'web-cancel': true });
    const jars = await httpGet(`${proxied}jars`);
    expect(jars.status).toBe(404);
    expect(jars.text).toContain('Not found: /jars');
    const page = await browser!.newPage();
    try {
      await page.goto(proxied);
      await page.getByTestId('slots-total').waitFor({ timeout: 30_000 });
      expect(await page.locator('.sidebar nav a', { hasText: 'Submit New Job' }).count()).toBe(0);
      expect(await page.locator('.sidebar nav a', { hasText: 'Running Jobs' }).count()).toBe(1);
    } finally {
      await page.close();
    }
    await yarn.killApplication(sessionId);
    sessionId = undefined;
  }, 300_000);
});
