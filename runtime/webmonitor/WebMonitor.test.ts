// The web monitor's server side over real HTTP against an in-process cluster: the dashboard's
// static files (served without a credential, everything else still needs it) and Flink's /jars
// handlers (upload a job file, plan, run, delete) as the Submit page uses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MiniCluster } from '../minicluster/MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { RestServerEndpoint } from '../rest/RestServerEndpoint.js';
import { silentRestLogger } from '../rest/RestLogger.js';
import { waitFor } from '../testing/waitFor.js';
import { pinTsflinkImports, tokenizeArguments } from './handlers/JarHandlers.js';
import { webAssetsDir } from './WebStaticFileHandler.js';

const TOKEN = 'a'.repeat(64);
const auth = { authorization: `Bearer ${TOKEN}` };
const jobFile = resolve(import.meta.dirname, 'fixtures', 'submitted-job.ts');
let dir: string;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let base: string;

async function start(conf: Configuration): Promise<{ endpoint: RestServerEndpoint; base: string }> {
  const e = new RestServerEndpoint({
    dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf.setString('rest.port', '0'),
    uploadDir: join(dir, `uploads-${Math.random().toString(36).slice(2)}`), logger: silentRestLogger, authentication: { token: TOKEN, required: true },
  });
  const { port } = await e.start();
  return { endpoint: e, base: `http://127.0.0.1:${port}` };
}

async function uploadJobFile(name = 'submitted-job.ts', body: string | Buffer = readFileSync(jobFile)): Promise<Response> {
  const form = new FormData();
  form.set('jarfile', new Blob([body]), name);
  return fetch(`${base}/jars/upload`, { method: 'POST', body: form, headers: auth });
}

const json = async (r: Response): Promise<any> => r.json();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-webmonitor-'));
  cluster = new MiniCluster();
  const te = new TaskExecutor(2, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  cluster.addTaskExecutor(te, 2);
  ({ endpoint, base } = await start(new Configuration()));
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard files', () => {
  it('are built by npm run build', () => {
    expect(existsSync(join(webAssetsDir(), 'index.html')), `${webAssetsDir()} has no index.html: run npm run build`).toBe(true);
    expect(existsSync(join(webAssetsDir(), 'app.js'))).toBe(true);
  });

  it('GET / serves index.html without a credential, naming its assets by relative URLs (YARN proxy)', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await r.text();
    expect(html).toContain('src="web/app.js"');
    expect(html).not.toMatch(/(src|href)="\//);
  });

  it('GET /web/app.js serves the bundle with an ETag, and 304 when unchanged', async () => {
    const r = await fetch(`${base}/web/app.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/);
    const etag = r.headers.get('etag')!;
    expect((await r.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${base}/web/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('unknown assets are 404 JSON; REST paths still need the token', async () => {
    const r = await fetch(`${base}/web/nope.js`);
    expect(r.status).toBe(404);
    expect((await json(r)).errors[0]).toContain('/web/nope.js');
    expect((await fetch(`${base}/overview`)).status).toBe(401);
    expect((await fetch(`${base}/web/../overview`)).status).toBe(401);
    expect((await fetch(`${base}/overview`, { headers: auth })).status).toBe(200);
    // Writes to asset paths are not exempt either.
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(401);
  });
});

describe('/jars (web.submit.enable)', () => {
  it('an upload without the token is refused and stores nothing', async () => {
    const form = new FormData();
    form.set('jarfile', new Blob(['export default () => {}']), 'x.ts');
    expect((await fetch(`${base}/jars/upload`, { method: 'POST', body: form })).status).toBe(401);
    expect((await json(await fetch(`${base}/jars`, { headers: auth }))).files).toEqual([]);
  });

  it('upload, list, plan, run with arguments, delete', async () => {
    const up = await uploadJobFile();
    expect(up.status).toBe(200);
    const uploaded = await json(up);
    expect(uploaded.status).toBe('success');
    const list = await json(await fetch(`${base}/jars`, { headers: auth }));
    expect(list.files).toHaveLength(1);
    const jar = list.files[0];
    expect(jar.name).toBe('submitted-job.ts');
    expect(uploaded.filename.endsWith(jar.id)).toBe(true);

    const plan = await json(await fetch(`${base}/jars/${jar.id}/plan`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ parallelism: 2 }) }));
    expect(plan.plan.nodes.length).toBeGreaterThan(0);
    expect(plan.plan.nodes.every((n: { parallelism: number }) => n.parallelism === 2)).toBe(true);

    const run = await fetch(`${base}/jars/${jar.id}/run`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ programArgs: '"from the UI" 500', parallelism: 1 }),
    });
    expect(run.status).toBe(200);
    const { jobid } = await json(run);
    expect(jobid).toMatch(/^[0-9a-f]{32}$/);
    await waitFor('the submitted job to finish', async () => (await json(await fetch(`${base}/jobs/${jobid}`, { headers: auth }))).state === 'FINISHED', 30_000, 100);
    const job = await json(await fetch(`${base}/jobs/${jobid}`, { headers: auth }));
    expect(job.name).toBe('submitted from the UI');
    const source = job.vertices.find((v: { name: string }) => v.name.includes('Numbers'));
    expect(source.metrics['write-records']).toBe(500);

    expect((await fetch(`${base}/jars/${jar.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await json(await fetch(`${base}/jars`, { headers: auth }))).files).toEqual([]);
    expect((await fetch(`${base}/jars/${jar.id}/run`, { method: 'POST', headers: auth })).status).toBe(404);
  });

  it('bad job files and ids are 400 with what to do', async () => {
    const wrongType = await uploadJobFile('job.jar', 'PK');
    expect(wrongType.status).toBe(400);
    expect((await json(wrongType)).errors[0]).toMatch(/Unsupported job file 'job.jar'.*\.ts/);
    const badName = await uploadJobFile('my job;rm.ts', 'export default () => {}');
    expect(badName.status).toBe(400);
    const badId = await fetch(`${base}/jars/..%2F..%2Fetc/run`, { method: 'POST', headers: auth });
    expect(badId.status).toBe(400);
    expect((await json(badId)).errors[0]).toContain('GET /jars');
    const noMain = await json(await uploadJobFile('no-main.ts', 'export const x = 1;\n'));
    const planned = await fetch(`${base}/jars/${noMain.filename.split('/').pop()}/run`, { method: 'POST', headers: auth });
    expect(planned.status).toBe(400);
    expect((await json(planned)).errors[0]).toMatch(/no-main\.ts.*default export/);
    const badBody = await fetch(`${base}/jars/${noMain.filename.split('/').pop()}/run`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ parallelism: 0 }) });
    expect(badBody.status).toBe(400);
  });

  it('are not served with web.submit.enable: false, and /config says so', async () => {
    const off = await start(new Configuration().setString('web.submit.enable', 'false'));
    try {
      expect((await fetch(`${off.base}/jars`, { headers: auth })).status).toBe(404);
      expect((await json(await fetch(`${off.base}/config`, { headers: auth }))).features['web-submit']).toBe(false);
      expect((await fetch(`${off.base}/`)).status).toBe(200);
    } finally {
      await off.endpoint.close();
    }
  });
});

describe('tokenizeArguments (Flink\'s programArgs string)', () => {
  it('splits on whitespace and keeps quoted parts', () => {
    expect(tokenizeArguments('--input /a  --name "two words" \'single q\' "esc \\" q"')).toEqual(['--input', '/a', '--name', 'two words', 'single q', 'esc " q']);
    expect(tokenizeArguments('   ')).toEqual([]);
  });
});

describe('pinTsflinkImports (job files where no esbuild is installed, e.g. YARN containers)', () => {
  it("points static, re-export and dynamic imports of 'tsflink' at the runtime file, and nothing else", () => {
    const url = 'file:///opt/tsflink/dist/runtime/index.js';
    const code = [
      "import { StreamExecutionEnvironment } from 'tsflink';", 'import * as t from "tsflink";', "import 'tsflink';",
      "export { DiscardingSink } from 'tsflink';", "const m = await import('tsflink');", "import x from 'tsflink-extra';", "const s = 'tsflink';",
    ].join('\n');
    expect(pinTsflinkImports(code, url).split('\n')).toEqual([
      `import { StreamExecutionEnvironment } from "${url}";`, `import * as t from "${url}";`, `import "${url}";`,
      `export { DiscardingSink } from "${url}";`, `const m = await import("${url}");`, "import x from 'tsflink-extra';", "const s = 'tsflink';",
    ]);
  });
});
