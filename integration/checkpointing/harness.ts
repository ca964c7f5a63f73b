// Shared by the checkpointing ITCases: reading the checkpointed-count job's output and checking it
// (every value exactly once, each key's counts exactly 1..n), WebHDFS listings, and Hadoop's own
// FsShell (the minicluster's classpath, as `hadoop fs` would run).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HADOOP_DIR } from '../hadoop/cluster.mjs';
import { cluster } from '../hdfs/cluster.js';

export const KEYS = 16; // runtime/entrypoint/fixtures/checkpointed-count.ts

/** Lines "<key> <count> <value>" of the job: every value 0..n-1 exactly once, each key's counts exactly 1..n/KEYS. */
export function expectExactlyOnce(lines: string[], n: number): void {
  const values = new Map<number, number>();
  const countsByKey = new Map<number, number[]>();
  for (const l of lines) {
    const [k, c, v] = l.split(' ').map(Number) as [number, number, number];
    expect(k, l).toBe(v % KEYS);
    values.set(v, (values.get(v) ?? 0) + 1);
    (countsByKey.get(k) ?? countsByKey.set(k, []).get(k)!).push(c);
  }
  const dup = [...values].filter(([, x]) => x > 1).map(([v]) => v);
  expect(dup.slice(0, 10), 'duplicated values').toEqual([]);
  const lost = Array.from({ length: n }, (_, i) => i).filter((v) => !values.has(v));
  expect(lost.slice(0, 10), 'lost values').toEqual([]);
  expect(values.size, 'no stray value').toBe(n);
  for (let k = 0; k < KEYS; k++) {
    const cs = (countsByKey.get(k) ?? []).sort((a, b) => a - b);
    expect(cs, `counts of key ${k}`).toEqual(Array.from({ length: n / KEYS }, (_, i) => i + 1));
  }
}

export interface WebHdfsStatus { pathSuffix: string; type: 'FILE' | 'DIRECTORY'; length: number }

/** Plain WebHDFS LISTSTATUS (independent of the hdfs/ layer); undefined for a missing path. */
export async function listHdfs(path: string): Promise<WebHdfsStatus[] | undefined> {
  const c = cluster();
  const res = await fetch(`${c.webhdfs}/webhdfs/v1${path}?op=LISTSTATUS&user.name=${c.superuser}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`WebHDFS LISTSTATUS ${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { FileStatuses: { FileStatus: WebHdfsStatus[] } }).FileStatuses.FileStatus;
}

/** chk-<n> directories of a job's checkpoint directory that hold a _metadata file (completed checkpoints). */
export async function completedOnHdfs(jobDir: string): Promise<number[]> {
  const ids: number[] = [];
  for (const s of (await listHdfs(jobDir)) ?? []) {
    const m = /^chk-(\d+)$/.exec(s.pathSuffix);
    if (!m || s.type !== 'DIRECTORY') continue;
    const files = await listHdfs(`${jobDir}/${s.pathSuffix}`).catch(() => undefined); // may be disposed meanwhile
    if (files?.some((f) => f.pathSuffix === '_metadata' && f.type === 'FILE' && f.length > 0)) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

const target = join(HADOOP_DIR, 'target');
/** Whether Hadoop's FsShell can be run (the minicluster's Maven build and a JVM). */
export const fsShellReady = existsSync(join(target, 'classes', 'tsflink', 'hadoop', 'FsShellTimed.class'))
  && existsSync(join(target, 'classpath.txt')) && spawnSync('java', ['-version']).status === 0;

/** Runs FsShell commands (separated by '--') in one JVM, like `hadoop fs …`; resolves with stdout. */
export function fsShell(args: string[]): Promise<string> {
  const c = cluster();
  const classpath = [c.hadoopConfDir, join(target, 'classes'), readFileSync(join(target, 'classpath.txt'), 'utf8').trim()].join(':');
  return new Promise<string>((resolve, reject) => {
    const p = spawn('java', ['-Xmx256m', '-cp', classpath, 'tsflink.hadoop.FsShellTimed', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HADOOP_USER_NAME: c.superuser } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`FsShell ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}
