// `tsflink run -m`, `list`, `cancel` against a cluster this test hosts: a MiniCluster with a
// worker-slot TaskManager and the REST endpoint on an ephemeral port (needs the compiled dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MiniCluster } from '../runtime/minicluster/MiniCluster.js';
import { WorkerTaskExecutor } from '../runtime/taskmanager/WorkerTaskExecutor.js';
import { Configuration } from '../runtime/configuration/index.js';
import { RestServerEndpoint } from '../runtime/rest/RestServerEndpoint.js';
import { silentRestLogger } from '../runtime/rest/RestLogger.js';
import { spawnCollecting } from '../runtime/testing/spawnCollecting.js';
import { waitFor } from '../runtime/testing/waitFor.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'cli', 'bin', 'run.js');
const fixture = join(root, 'runtime', 'rest', 'fixtures', 'rest-job.ts');

interface Run { code: number | null; stdout: string; stderr: string }

/** Spawns the CLI without blocking this process (it hosts the cluster the CLI talks to). */
function start(args: string[]): { done: Promise<Run>; stdout: () => string } {
  const p = spawnCollecting(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env } });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 90_000);
  const done = p.exited.then((code): Run => { clearTimeout(timer); return { code, stdout: p.stdout(), stderr: p.stderr() }; });
  return { done, stdout: p.stdout };
}
const tsflink = (args: string[]): Promise<Run> => start(args).done;

let dir: string;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let m: string;
const jobState = async (id: string): Promise<string> => ((await (await fetch(`http://${m}/jobs/${id}`)).json()) as { state: string }).state;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-remote-'));
  const conf = new Configuration().setString('rest.port', '0');
  cluster = new MiniCluster();
  const te = new WorkerTaskExecutor(4, conf, (id) => cluster.dispatcher.jobMasterGateway(id));
  await te.start();
  cluster.addTaskExecutor(te, 4);
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'uploads'), logger: silentRestLogger });
  const { port } = await endpoint.start();
  m = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tsflink against a remote cluster', () => {
  it('run -m: wordcount runs on the cluster, writes correct counts, prints the JobID lines, exit 0', async () => {
    const input = join(dir, 'words.txt');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`alpha beta ${i % 3 === 0 ? 'gamma' : 'delta'}`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir, 'counts');
    const r = await tsflink(['run', '-m', m, '-p', '2', 'examples/wordcount.ts', input, '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toContain(`Job with JobID ${id} has finished.`);
    expect(r.stdout).toMatch(/Job Runtime: \d+ ms/);
    const got = new Map(readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => {
      const [w, n] = l.split('\t');
      return [w!, Number(n)] as const;
    }));
    expect(got).toEqual(new Map([['alpha', 3000], ['beta', 3000], ['gamma', 1000], ['delta', 2000]]));
    expect(await jobState(id!)).toBe('FINISHED');
  });

  it('run -d returns after submitting; list shows the job; cancel cancels it (exit 0) and it ends CANCELED', async () => {
    const r = await tsflink(['run', '-m', m, '-d', fixture, 'unbounded']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /^Job has been submitted with JobID ([0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).not.toContain('has finished');
    await waitFor('RUNNING', async () => ((await jobState(id!)) === 'RUNNING' ? true : undefined), 30_000);

    const l = await tsflink(['list', '-m', m]);
    expect(l.code).toBe(0);
    expect(l.stdout).toContain('Waiting for response...');
    expect(l.stdout).toContain('------------------ Running/Restarting Jobs -------------------');
    expect(l.stdout).toMatch(new RegExp(`^\\d{2}\\.\\d{2}\\.\\d{4} \\d{2}:\\d{2}:\\d{2} : ${id} : rest-unbounded \\(RUNNING\\)$`, 'm'));
    expect(l.stdout).toContain('No scheduled jobs.');

    const c = await tsflink(['cancel', '-m', m, id!]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe(`Cancelling job ${id}.\nCancelled job ${id}.\n`);
    expect(await jobState(id!)).toBe('CANCELED');

    const after = await tsflink(['list', '-m', m]);
    expect(after.stdout).toContain('No running jobs.');
    const all = await tsflink(['list', '-m', m, '-a']);
    expect(all.stdout).toContain('---------------------- Terminated Jobs -----------------------');
    expect(all.stdout).toContain(`: ${id} : rest-unbounded (CANCELED)`);
  });

  it('-D rest.address/rest.port selects the remote target; an attached run whose job is cancelled exits 4', async () => {
    const [host, port] = m.split(':');
    const p = start(['run', '-D', `rest.address=${host}`, '-D', `rest.port=${port}`, fixture, 'unbounded']);
    const id = await waitFor('the JobID line', () => /JobID ([0-9a-f]{32})/.exec(p.stdout())?.[1], 30_000);
    await waitFor('RUNNING', async () => ((await jobState(id)) === 'RUNNING' ? true : undefined), 30_000);
    const c = await fetch(`http://${m}/jobs/${id}?mode=cancel`, { method: 'PATCH' });
    expect(c.status).toBe(202);
    const r = await p.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`Job 'rest-unbounded' (${id}) was cancelled.`);
  });

  it('run -m: executeAndCollect returns every value from the cluster (fetched page by page from the collect sink\'s coordinator; -0 and bigint kept)', async () => {
    const r = await tsflink(['run', '-m', m, '-p', '3', join(root, 'runtime', 'client', 'fixtures', 'collect-job.ts'), 'many']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`RESULT count=25000 distinct=25000 sum=${(25000 * 25001) / 2} negZero=true bigint=true`);
  });

  it('run -m: executeAndCollect with a limit stops an unbounded job once it has the values', async () => {
    const r = await tsflink(['run', '-m', m, '-p', '2', join(root, 'runtime', 'client', 'fixtures', 'collect-job.ts'), 'limit']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('RESULT count=25 allEven=true');
  });

  it('the coordination endpoint rejects bad requests: malformed payload 400, unknown operator 404, unknown job 404', async () => {
    const jobs = ((await (await fetch(`http://${m}/jobs/overview`)).json()) as { jobs: { jid: string; name: string }[] }).jobs;
    const job = jobs.find((j) => j.name === 'collect-many');
    expect(job).toBeDefined();
    const post = async (path: string, body: unknown): Promise<{ status: number; errors: string[] }> => {
      const res = await fetch(`http://${m}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, errors: ((await res.json()) as { errors?: string[] }).errors ?? [] };
    };
    const bad = await post(`/jobs/${job!.jid}/coordinators/999`, { serializedCoordinationRequest: Buffer.from('not msgpack at all').toString('base64') });
    expect(bad.status).toBe(400);
    const noField = await post(`/jobs/${job!.jid}/coordinators/999`, { something: 'else' });
    expect(noField.status).toBe(400);
    const { encodeCoordination } = await import('../runtime/rest/messages/ClientCoordination.js');
    const unknownOp = await post(`/jobs/${job!.jid}/coordinators/999`, { serializedCoordinationRequest: encodeCoordination({ type: 'collect', offset: 0, maxValues: 10 }) });
    expect(unknownOp.status).toBe(404);
    expect(unknownOp.errors.join(' ')).toContain('no coordinator for operator 999');
    const unknownJob = await post('/jobs/0123456789abcdef0123456789abcdef/coordinators/1', { serializedCoordinationRequest: encodeCoordination({ type: 'collect', offset: 0, maxValues: 10 }) });
    expect(unknownJob.status).toBe(404);
  });

  it('a job failing on the cluster exits 1 with the user error and where it was thrown', async () => {
    // One chained vertex: no consumer can fail first on the released partition (a separate race).
    const r = await tsflink(['run', '-m', m, '-p', '2', fixture, 'fail']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RangeError: record 77 is out of range');
    expect(r.stderr).toMatch(/failed in Validator \(\d\/2\)/);
    expect(r.stderr).toMatch(/rest-job\.ts:\d+/);
  });

  it('an unreachable cluster exits 3 and names the address and where it came from', async () => {
    const r = await tsflink(['run', '-m', '127.0.0.1:1', 'examples/wordcount.ts', 'in.txt']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('http://127.0.0.1:1 (from -m 127.0.0.1:1)');
    expect(r.stderr).toContain('ECONNREFUSED');
    const l = await tsflink(['list', '-m', '127.0.0.1:1']);
    expect(l.code).toBe(3);
    const c = await tsflink(['cancel', '-D', 'rest.address=127.0.0.1', '-D', 'rest.port=1', '0123456789abcdef0123456789abcdef']);
    expect(c.code).toBe(3);
    expect(c.stderr).toContain('rest.address=127.0.0.1 set by -D');
  });

  it('usage errors exit 2; cancelling an unknown job exits 1', async () => {
    const bad = await tsflink(['list', '-m', 'nohostport']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid -m value 'nohostport'");
    const badId = await tsflink(['cancel', '-m', m, 'xyz']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("Invalid job id 'xyz'");
    const unknown = await tsflink(['cancel', '-m', m, '0123456789abcdef0123456789abcdef']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Job 0123456789abcdef0123456789abcdef not found');
  });
});
