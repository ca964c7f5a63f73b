// BATCH jobs stage by stage on a standalone cluster of real processes (JobManager on 127.0.0.2,
// TaskManagers on .3/.4/…): blocking partitions in each TaskManager's io.tmp.dirs (two dirs each,
// round-robin), consumers read them from the producer's TaskManager over TCP; region failover
// (Flink's BlockingShuffleITCase / RegionFailoverITCase); no shuffle file left after a job.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { waitFor } from '../../testing/waitFor.js';
import type { CollectedProcess } from '../../testing/spawnCollecting.js';
import { sentence } from './fixtures/batch-stages.js';

const root = resolve(import.meta.dirname, '../../..');
const fixture = join(root, 'runtime/jobmanager/scheduler/fixtures/batch-stages.ts');
const N = 3000;

function expected(n: number): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) for (const w of sentence(i).split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  const buckets = new Map<number, number>();
  for (const c of counts.values()) buckets.set(c % 7, (buckets.get(c % 7) ?? 0) + 1);
  return [...[...counts].map(([w, c]) => `word ${w} ${c}`), ...[...buckets].map(([b, k]) => `bucket ${b} ${k}`)].sort();
}

interface Tm { host: string; proc: CollectedProcess; dirs: string[] }

/** A TaskManager with its own conf dir: io.tmp.dirs = two dirs of its own, plus `extra` config lines. */
function startTm(c: ClusterProcesses, host: string, slots: number, extra: string[] = []): Tm {
  const confDir = join(c.workDir, `conf-${host}`);
  const dirs = [join(c.workDir, `tmp-${host}-a`), join(c.workDir, `tmp-${host}-b`)];
  for (const d of [confDir, ...dirs]) mkdirSync(d, { recursive: true });
  cpSync(join(root, 'conf', 'config.yaml'), join(confDir, 'config.yaml'));
  writeFileSync(join(confDir, 'config.yaml'), `${readFileSync(join(confDir, 'config.yaml'), 'utf8')}\nio.tmp.dirs: "${dirs.join(';')}"\n${extra.join('\n')}\n`);
  return { host, proc: c.startTaskManager(host, slots, { TSFLINK_CONF_DIR: confDir }), dirs };
}

/** Files in the TaskManager's shuffle directories (tsflink-netty-shuffle-*) of its io.tmp.dirs. */
function shuffleFiles(tm: Tm): string[] {
  return tm.dirs.flatMap((d) => readdirSync(d).filter((s) => s.startsWith('tsflink-netty-shuffle-')).flatMap((s) => (existsSync(join(d, s)) ? readdirSync(join(d, s)).map((f) => join(s, f)) : [])));
}
const shuffleDirsUsed = (tm: Tm): number => tm.dirs.filter((d) => readdirSync(d).some((s) => s.startsWith('tsflink-netty-shuffle-'))).length;

function output(out: string): string[] {
  return ['words', 'buckets'].map((s) => join(out, s))
    .flatMap((dir) => readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))).sort();
}

interface VertexDetails { id: string; name: string; status: string }
async function jobOf(c: ClusterProcesses, name: string): Promise<string> {
  return waitFor(`job '${name}'`, async () => {
    const jobs = (await c.get<{ jobs: Array<{ jid: string; name: string; state: string; 'start-time': number }> }>('/jobs/overview')).jobs;
    return jobs.filter((j) => j.name === name && j.state === 'RUNNING').sort((a, b) => b['start-time'] - a['start-time'])[0]?.jid;
  }, 60_000, 50);
}
/** Subtask attempts per vertex name (REST /jobs/:id/vertices/:vid). */
async function attempts(c: ClusterProcesses, jobId: string): Promise<Record<string, number[]>> {
  const vs = (await c.get<{ vertices: VertexDetails[] }>(`/jobs/${jobId}`)).vertices;
  const out: Record<string, number[]> = {};
  for (const v of vs) out[v.name] = (await c.get<{ subtasks: Array<{ attempt: number }> }>(`/jobs/${jobId}/vertices/${v.id}`)).subtasks.map((s) => s.attempt);
  return out;
}
const restarted = (a: Record<string, number[]>): number => Object.values(a).flat().filter((x) => x > 0).length;

async function runJob(c: ClusterProcesses, out: string, args: string[], parallelism: number, during?: (jobId: string) => Promise<void>): Promise<{ jobId: string; attempts: Record<string, number[]> }> {
  const job = c.cli(['run', '-m', c.restAddress, '-p', String(parallelism), fixture, out, String(N), ...args]);
  const jobId = await jobOf(c, 'batch stages').catch((e: Error) => { throw new Error(`${e.message}\n${job.stdout()}\n${job.stderr()}\n${c.dumpLogs()}`); });
  if (during) await during(jobId);
  const code = await job.exited;
  expect(code, `${job.stdout()}\n${job.stderr()}\n${c.dumpLogs()}`).toBe(0);
  return { jobId, attempts: await attempts(c, jobId) };
}

const common = ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s'];
const jmArgs = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=10', '-D', 'restart-strategy.fixed-delay.delay=100 ms'];

/** A JobManager on 127.0.0.2 and one TaskManager (2 slots) per host, `tmConfig` lines in each one's config.yaml. */
async function startCluster(prefix: string, hosts: string[], tmConfig: string[] = []): Promise<{ c: ClusterProcesses; tms: Tm[] }> {
  const c = new ClusterProcesses(mkdtempSync(join(tmpdir(), prefix)), '127.0.0.2', common);
  await c.startJobManager(jmArgs);
  const tms = hosts.map((h) => startTm(c, h, 2, tmConfig));
  await c.waitForTaskManagers(hosts.length);
  return { c, tms };
}

/** Released partitions delete their files once the last reader closed them: wait for that, name what is left. */
async function expectNoShuffleFiles(tms: Tm[]): Promise<void> {
  await waitFor('no shuffle file left', () => tms.every((t) => shuffleFiles(t).length === 0), 10_000, 50)
    .catch(() => { throw new Error(`shuffle files left: ${JSON.stringify(tms.map(shuffleFiles))}`); });
}

describe('BATCH on a standalone cluster: hash shuffle, region failover', () => {
  let c: ClusterProcesses;
  let tms: Tm[];
  beforeAll(async () => { ({ c, tms } = await startCluster('tsflink-batch-cluster-', ['127.0.0.3', '127.0.0.4'])); }, 60_000);
  afterAll(() => c.dispose());

  it('word count and a second aggregation stage: exact output, nothing restarted, shuffle files gone', async () => {
    const out = join(c.workDir, 'out-plain');
    const r = await runJob(c, out, [], 4);
    expect(output(out)).toEqual(expected(N));
    expect(restarted(r.attempts)).toBe(0);
    // Partitions spread over both io.tmp.dirs of a TaskManager, and were released (files deleted).
    expect(tms.map(shuffleDirsUsed)).toEqual([2, 2]);
    await expectNoShuffleFiles(tms);
  }, 120_000);

  it('a consumer subtask that fails once reruns alone (its producers and the other subtasks run once)', async () => {
    const out = join(c.workDir, 'out-fail');
    const r = await runJob(c, out, ['fail-once'], 4);
    expect(output(out)).toEqual(expected(N));
    expect(r.attempts['Count -> Combine (Sum)'], `${JSON.stringify(r.attempts)}\n${c.jobManager.stdout().slice(-6000)}`).toEqual([0, 0, 1, 0]);
    // Count (3) reads blocking partitions and writes one: only its own region restarted.
    expect(restarted(r.attempts)).toBe(1);
    const metrics = await c.get<Array<{ id: string; value: string }>>(`/jobs/${r.jobId}/metrics?get=numRestarts`);
    expect(metrics).toEqual([{ id: 'numRestarts', value: '1' }]);
    await expectNoShuffleFiles(tms);
  }, 120_000);

  it('shuffle files deleted before the consumers read them: the producers rerun, output exact', async () => {
    const out = join(c.workDir, 'out-deleted');
    const live = tms.filter((t) => ClusterProcesses.alive(t.proc));
    const r = await runJob(c, out, ['delete-files', live.flatMap((t) => t.dirs).join(';')], 4);
    expect(output(out)).toEqual(expected(N));
    const sources = Object.entries(r.attempts).find(([name]) => name.startsWith('Source: Sentences'))![1];
    expect(sources.some((a) => a > 0), JSON.stringify(r.attempts)).toBe(true);
    await expectNoShuffleFiles(live);
  }, 120_000);

  it('a TaskManager killed (SIGKILL) after its producers finished: they rerun elsewhere, output exact', async () => {
    const out = join(c.workDir, 'out-kill');
    const victim = tms[0]!;
    let replacement: Tm | undefined;
    const r = await runJob(c, out, ['slow-consumers', '50'], 4, async (jobId) => {
      await waitFor('producers finished, consumers reading', async () => {
        const vs = (await c.get<{ vertices: VertexDetails[] }>(`/jobs/${jobId}`)).vertices;
        const st = Object.fromEntries(vs.map((v) => [v.name, v.status]));
        return st['Source: Sentences -> Split'] === 'FINISHED' && st['Count -> Combine (Sum)'] === 'RUNNING';
      }, 60_000, 20);
      process.kill(victim.proc.child.pid!, 'SIGKILL');
      await victim.proc.exited;
      replacement = startTm(c, '127.0.0.5', 2);
    });
    tms.push(replacement!);
    expect(output(out)).toEqual(expected(N));
    // The killed TaskManager held finished producers: their partitions were lost, they ran again.
    expect(r.attempts['Source: Sentences -> Split']!.some((a) => a > 0), JSON.stringify(r.attempts)).toBe(true);
    const alive = tms.filter((t) => t !== victim);
    await expectNoShuffleFiles(alive);
  }, 180_000);
});

describe('BATCH on a standalone cluster: sort-merge shuffle, more subtasks than slots', () => {
  let c: ClusterProcesses;
  let tm: Tm;
  beforeAll(async () => {
    let tms: Tm[];
    ({ c, tms } = await startCluster('tsflink-batch-sort-', ['127.0.0.6'], ['taskmanager.network.sort-shuffle.min-parallelism: 1', 'taskmanager.network.sort-shuffle.min-buffers: 4']));
    tm = tms[0]!;
  }, 60_000);
  afterAll(() => c.dispose());

  it('a p=8 job on one TaskManager with 2 slots runs stage by stage through sort-merge files', async () => {
    const out = join(c.workDir, 'out-p8');
    const r = await runJob(c, out, [], 8);
    expect(output(out)).toEqual(expected(N));
    expect(restarted(r.attempts)).toBe(0);
    expect(c.jobManager.stdout()).toMatch(/pipelined region\(s\)/);
    await expectNoShuffleFiles([tm]);
    expect(shuffleDirsUsed(tm)).toBe(2);
  }, 180_000);
});
