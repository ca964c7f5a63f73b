// REST authentication over real HTTP: an endpoint bound on a loopback alias (127.0.0.2, another
// "host") demands the bearer token on every route; clients connect from 127.0.0.4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { MiniCluster } from '../minicluster/MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { loadJobMain, type JobBundle } from '../usercode/JobBundle.js';
import { bundleJob } from '../client/JobBundler.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import { RestServerEndpoint } from './RestServerEndpoint.js';
import { silentRestLogger } from './RestLogger.js';
import { RestClientException, RestClusterClient } from '../client/RestClusterClient.js';
import { RestAuthenticator, isLoopbackOnly, restTokenOf } from '../security/RestAuthentication.js';

const HOST = '127.0.0.2';
const CLIENT = '127.0.0.4';
const SECRET = randomBytes(32).toString('hex');
const TOKEN = restTokenOf(SECRET);
const JOB = '0123456789abcdef0123456789abcdef';
const VERTEX = 'fedcba9876543210fedcba9876543210';

let dir: string;
let uploadDir: string;
let bundle: JobBundle;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let port: number;

interface Answer { status: number; body: { errors?: string[] } & Record<string, unknown>; headers: Record<string, string | string[] | undefined> }

/** One HTTP request from `from` (a client "host"), optionally with a multipart form. */
function call(method: string, path: string, opts: { auth?: string; from?: string; form?: FormData; json?: object; toPort?: number; toHost?: string } = {}): Promise<Answer> {
  const encoded = opts.form ? new Response(opts.form) : undefined;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.auth !== undefined) headers['authorization'] = opts.auth;
  if (encoded) headers['content-type'] = encoded.headers.get('content-type')!;
  if (opts.json) headers['content-type'] = 'application/json';
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: opts.toHost ?? HOST, port: opts.toPort ?? port, path, method, headers, localAddress: opts.from ?? CLIENT }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) as Answer['body'] : {}, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (encoded?.body) Readable.fromWeb(encoded.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(req);
    else req.end(opts.json ? JSON.stringify(opts.json) : undefined);
  });
}

async function jobSubmission(): Promise<FormData> {
  const main = await loadJobMain(bundle);
  const sg = await captureStreamGraph(main, ['bounded'], { baseConfiguration: new Configuration(), defaultParallelism: 1, executionIndex: 0, what: 'test client' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  const form = new FormData();
  form.set('request', JSON.stringify({ jobGraph, args: ['bounded'], defaultParallelism: 1, baseConfiguration: {}, bundleHash: bundle.hash }));
  form.set('bundle', new Blob([await readFile(bundle.path)]), basename(bundle.path));
  return form;
}

/** A concrete request for every route the endpoint has (the test fails when a route is added without being listed). */
const JAR = '00000000-0000-4000-8000-000000000000_job.ts';
const ROUTES: Array<[string, string]> = [
  ['GET', '/config'], ['GET', '/jobmanager/config'], ['GET', '/overview'], ['GET', '/jobs'], ['GET', '/jobs/overview'], ['POST', '/jobs'],
  ['GET', `/jobs/${JOB}`], ['PATCH', `/jobs/${JOB}?mode=cancel`], ['GET', `/jobs/${JOB}/plan`], ['GET', `/jobs/${JOB}/exceptions`],
  ['GET', `/jobs/${JOB}/vertices/${VERTEX}`], ['POST', `/jobs/${JOB}/coordinators/3`], ['GET', `/jobs/${JOB}/execution-result`], ['GET', `/jobs/${JOB}/metrics`],
  ['GET', '/taskmanagers'], ['GET', '/taskmanagers/tm-1'], ['GET', `/jobs/${JOB}/checkpoints`], ['GET', `/jobs/${JOB}/checkpoints/config`],
  ['GET', `/jobs/${JOB}/checkpoints/details/1`], ['GET', `/jobs/${JOB}/checkpoints/details/1/subtasks/${VERTEX}`], ['POST', `/jobs/${JOB}/checkpoints`],
  ['GET', `/jobs/${JOB}/checkpoints/${VERTEX}`],
  ['POST', `/jobs/${JOB}/savepoints`], ['POST', `/jobs/${JOB}/stop`], ['GET', `/jobs/${JOB}/savepoints/${VERTEX}`],
  ['POST', '/savepoint-disposal'], ['GET', `/savepoint-disposal/${VERTEX}`],
  // Metrics, job configuration and subtask times, logs and thread dumps (runtime/rest/handlers).
  ['GET', '/jobmanager/metrics'], ['GET', '/jobmanager/metric-reporters'], ['GET', '/taskmanagers/tm-1/metrics'], ['GET', '/taskmanagers/metrics'], ['GET', '/jobs/metrics'],
  ['GET', `/jobs/${JOB}/vertices/${VERTEX}/metrics`], ['GET', `/jobs/${JOB}/vertices/${VERTEX}/subtasks/0/metrics`], ['GET', `/jobs/${JOB}/vertices/${VERTEX}/subtasks/metrics`],
  ['GET', `/jobs/${JOB}/vertices/${VERTEX}/watermarks`], ['GET', `/jobs/${JOB}/vertices/${VERTEX}/backpressure`], ['GET', `/jobs/${JOB}/vertices/${VERTEX}/subtasktimes`],
  ['GET', `/jobs/${JOB}/config`], ['GET', '/jobmanager/logs'], ['GET', '/jobmanager/log'], ['GET', '/jobmanager/stdout'], ['GET', '/jobmanager/logs/jobmanager.log'],
  ['GET', '/jobmanager/thread-dump'], ['GET', '/taskmanagers/tm-1/logs'], ['GET', '/taskmanagers/tm-1/log'], ['GET', '/taskmanagers/tm-1/stdout'],
  ['GET', '/taskmanagers/tm-1/logs/taskmanager.log'], ['GET', '/taskmanagers/tm-1/thread-dump'],
  // The web UI's job-file submission (runtime/webmonitor, web.submit.enable).
  ['POST', '/jars/upload'], ['GET', '/jars'], ['DELETE', `/jars/${JAR}`], ['POST', `/jars/${JAR}/plan`], ['POST', `/jars/${JAR}/run`],
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-rest-auth-'));
  uploadDir = join(dir, 'uploads');
  bundle = await bundleJob(resolve(import.meta.dirname, 'fixtures', 'rest-job.ts'), { outDir: join(dir, 'bundles') });
  cluster = new MiniCluster();
  const te = new TaskExecutor(2, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  cluster.addTaskExecutor(te, 2);
  const conf = new Configuration().setString('rest.port', '0').setString('rest.bind-address', HOST);
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir, logger: silentRestLogger, authentication: { token: TOKEN } });
  ({ port } = await endpoint.start());
  expect(endpoint.authenticationRequired).toBe(true);
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('REST endpoint beyond loopback (127.0.0.2)', () => {
  it('the route list covers every route of the endpoint', () => {
    const routes = (endpoint as unknown as { routes: Array<{ method: string; pattern: RegExp }> }).routes;
    for (const r of routes) expect(ROUTES.some(([m, p]) => m === r.method && r.pattern.test(p.split('?')[0]!)), `${r.method} ${r.pattern}`).toBe(true);
    expect(routes.length).toBe(ROUTES.length);
  });

  it('refuses every route without a credential and with a wrong one: 401, Flink-shaped errors saying how to authenticate', async () => {
    const wrong = restTokenOf('another cluster');
    for (const [method, path] of ROUTES) {
      for (const p of [path, `/v1${path}`]) {
        const none = await call(method, p);
        expect(none.status, `${method} ${p}`).toBe(401);
        expect(none.headers['www-authenticate']).toBe('Bearer realm="tsflink"');
        expect(none.body.errors).toHaveLength(1);
        expect(none.body.errors![0]).toMatch(/^Unauthorized: This REST endpoint requires a credential, and the request has none\. Send "Authorization: Bearer <token>"\..*cluster-secret.*rest-token.*yarn\.application\.id.*docs\/deployment\.md/);
        const bad = await call(method, p, { auth: `Bearer ${wrong}` });
        expect(bad.status, `${method} ${p}`).toBe(401);
        expect(bad.body.errors![0]).toMatch(/^Unauthorized: The bearer token is not valid for this cluster/);
      }
    }
    expect((await call('GET', '/overview', { auth: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` })).body.errors![0]).toMatch(/not of the form "Bearer <token>"/);
    expect((await call('GET', '/no-such-route')).status).toBe(401);
  });

  it('answers every route with the token (no 401 anywhere)', async () => {
    for (const [method, path] of ROUTES) {
      // No body on DELETE: Node's client sends it chunked, which the server takes as a malformed request.
      const r = await call(method, path, { auth: `Bearer ${TOKEN}`, ...(method !== 'GET' && method !== 'DELETE' && path !== '/jobs' ? { json: {} } : {}) });
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).not.toBe(401);
    }
    expect((await call('GET', '/overview', { auth: `bearer  ${TOKEN}` })).status).toBe(200);
  });

  it('a job bundle posted without a credential (or with a wrong one) is never stored or run', async () => {
    for (const auth of [undefined, `Bearer ${restTokenOf('x')}`]) {
      const r = await call('POST', '/jobs', { form: await jobSubmission(), ...(auth !== undefined ? { auth } : {}) });
      expect(r.status).toBe(401);
    }
    expect(readdirSync(uploadDir)).toEqual([]);
    expect(cluster.dispatcher.allJobs()).toHaveLength(0);
  });

  it('RestClusterClient presents the token: submits and lists; without it the 401 says how to authenticate', async () => {
    const client = new RestClusterClient({ address: HOST, port, token: TOKEN, localAddress: CLIENT, maxPollIntervalMs: 50 });
    const form = await jobSubmission();
    const request = JSON.parse(form.get('request') as string) as Parameters<RestClusterClient['submitJob']>[0];
    const jobId = await client.submitJob(request, bundle);
    expect((await client.waitForTermination(jobId, 30_000)).state).toBe('FINISHED');
    expect((await client.listJobs()).map((j) => j.jid)).toContain(jobId);
    const anonymous = new RestClusterClient({ address: HOST, port, localAddress: CLIENT });
    const e = await anonymous.listJobs().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RestClientException);
    expect((e as RestClientException).status).toBe(401);
    expect((e as Error).message).toMatch(/GET \/jobs\/overview failed with HTTP 401: Unauthorized: .*Authorization: Bearer <token>/);
  });
});

describe('when REST must authenticate', () => {
  it('refuses to listen beyond loopback without a token, naming the key and the fix', async () => {
    for (const bind of [HOST, '0.0.0.0']) {
      const conf = new Configuration().setString('rest.port', '0').setString('rest.bind-address', bind);
      const e = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'u2'), logger: silentRestLogger });
      await expect(e.start()).rejects.toThrow(`The REST endpoint would listen on ${bind} (rest.bind-address), beyond localhost, without authentication`);
    }
  });

  it('on loopback (127.0.0.1) no credential is needed, but a wrong one is refused; required=true (YARN) demands it there too', async () => {
    const conf = new Configuration().setString('rest.port', '0');
    const open = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'u3'), logger: silentRestLogger, authentication: { token: TOKEN } });
    const p1 = (await open.start()).port;
    const yarn = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'u4'), logger: silentRestLogger, authentication: { token: TOKEN, required: true } });
    const p2 = (await yarn.start()).port;
    try {
      const at = (p: number, auth?: string) => call('GET', '/overview', { toHost: '127.0.0.1', toPort: p, from: '127.0.0.1', ...(auth !== undefined ? { auth } : {}) });
      expect((await at(p1)).status).toBe(200);
      expect((await at(p1, `Bearer ${TOKEN}`)).status).toBe(200);
      expect((await at(p1, 'Bearer wrong')).status).toBe(401);
      expect((await at(p2)).status).toBe(401);
      expect((await at(p2, `Bearer ${TOKEN}`)).status).toBe(200);
    } finally {
      await open.close();
      await yarn.close();
    }
  });

  it("trusts read-only requests from YARN's proxy host (AmIpFilter's PROXY_HOSTS), nothing else from there", async () => {
    const conf = new Configuration().setString('rest.port', '0').setString('rest.bind-address', HOST);
    const e = new RestServerEndpoint({
      dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'u5'), logger: silentRestLogger,
      authentication: { token: TOKEN, required: true, proxyHosts: ['127.0.0.3'], proxyUriBases: ['http://127.0.0.3:8088/proxy/application_1_0001'] },
    });
    const p = (await e.start()).port;
    try {
      expect((await call('GET', '/overview', { toPort: p, from: '127.0.0.3' })).status).toBe(200);
      expect((await call('GET', '/jobs', { toPort: p, from: '127.0.0.3' })).status).toBe(200);
      const post = await call('POST', '/jobs', { toPort: p, from: '127.0.0.3', form: await jobSubmission() });
      expect(post.status).toBe(401);
      expect((await call('PATCH', `/jobs/${JOB}?mode=cancel`, { toPort: p, from: '127.0.0.3' })).status).toBe(401);
      const other = await call('GET', '/overview', { toPort: p, from: CLIENT });
      expect(other.status).toBe(401);
      expect(other.body.errors![0]).toContain("Read-only access without a token: through YARN's web proxy (http://127.0.0.3:8088/proxy/application_1_0001)");
      // A wrong token is refused even from the proxy.
      expect((await call('GET', '/overview', { toPort: p, from: '127.0.0.3', auth: 'Bearer nope' })).status).toBe(401);
    } finally {
      await e.close();
    }
  });
});

describe('RestAuthentication', () => {
  it('derives a stable token that does not reveal the secret', () => {
    expect(restTokenOf('s')).toBe(restTokenOf('s'));
    expect(restTokenOf('s')).toMatch(/^[0-9a-f]{64}$/);
    expect(restTokenOf('s')).not.toBe(restTokenOf('t'));
    expect(restTokenOf(SECRET)).not.toContain(SECRET);
  });

  it('loopback-only addresses', () => {
    for (const a of ['localhost', '127.0.0.1', '::1', 'LOCALHOST']) expect(isLoopbackOnly(a)).toBe(true);
    for (const a of ['127.0.0.2', '0.0.0.0', '::', '10.0.0.1', 'node1.example']) expect(isLoopbackOnly(a)).toBe(false);
  });

  it('a required authenticator needs a token', () => {
    expect(() => new RestAuthenticator({}, true)).toThrow(/needs a token/);
    const a = new RestAuthenticator({ token: 't' }, true, ['::ffff:127.0.0.3']);
    expect(a.check({ method: 'GET', authorization: undefined, remoteAddress: '127.0.0.3' })).toEqual({ ok: true });
    expect(a.check({ method: 'HEAD', authorization: undefined, remoteAddress: '::ffff:127.0.0.3' })).toEqual({ ok: true });
    expect(a.check({ method: 'DELETE', authorization: undefined, remoteAddress: '127.0.0.3' }).ok).toBe(false);
  });
});
