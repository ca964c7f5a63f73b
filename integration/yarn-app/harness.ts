// Shared by the YARN end-to-end tests: the minicluster, the built runtime, the CLI, and HDFS reads.
import { execFileSync } from 'node:child_process';
import { spawnCollecting } from '../../runtime/testing/spawnCollecting.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { HadoopSiteConfig } from '../../yarn-am/ipc/index.js';
import { YarnClient, formatApplicationId, type ApplicationId } from '../../yarn-am/protocols/index.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'cli', 'bin', 'run.js');
export const FIXTURES = join(REPO, 'integration', 'yarn-app', 'fixtures');

export interface ClusterInfo {
  hadoopConfDir: string;
  namenode: string;
  webhdfs: string;
  superuser?: string;
  /** Each NodeManager on its own loopback "host" (127.0.0.2, 127.0.0.3). */
  nodemanagers: { host: string; nodeId: string; logDirs: string; localDirs: string }[];
  /** http://host:port of the ResourceManager's web app (and its web proxy, /proxy/<appId>/). */
  resourceManagerWeb: string;
}

export interface CliResult { code: number | null; stdout: string; stderr: string; seconds: number }

let cluster: ClusterInfo | undefined;

/** Starts (or reuses) the minicluster and makes sure dist/ is built: the AM and TaskManagers run from it. */
export async function setupYarnTestCluster(): Promise<{ cluster: ClusterInfo; yarn: YarnClient }> {
  const mod = (await import('../hadoop/cluster.mjs')) as { startCluster(): Promise<{ info: ClusterInfo }> };
  cluster = (await mod.startCluster()).info;
  const yarn = YarnClient.fromConfiguration(HadoopSiteConfig.load(cluster.hadoopConfDir));
  try {
    // tsc emits even if unrelated files have errors; checked below.
    execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.json')], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // checked below
  }
  if (!existsSync(join(REPO, 'dist', 'yarn-am', 'main.js'))) throw new Error('dist/yarn-am/main.js was not built');
  return { cluster, yarn };
}

/**
 * The test file's minicluster and YARN client: `set` receives them before the first test; after the last,
 * the session `session()` names (if any) is killed — never left running on the shared cluster — and the client closed.
 */
export function useYarnTestCluster(set: (cluster: ClusterInfo, yarn: YarnClient) => void, session: () => ApplicationId | undefined): void {
  let yarn: YarnClient | undefined;
  beforeAll(async () => {
    const r = await setupYarnTestCluster();
    yarn = r.yarn;
    set(r.cluster, r.yarn);
  }, 600_000);
  afterAll(async () => {
    const id = session();
    if (id && yarn) await yarn.killApplication(id).catch(() => undefined);
    yarn?.close();
  });
}

function current(): ClusterInfo {
  if (!cluster) throw new Error('setupYarnTestCluster() first');
  return cluster;
}

/** Runs the CLI with the minicluster's HADOOP_CONF_DIR. */
export function tsflink(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<CliResult> {
  const c = current();
  const t0 = Date.now();
  const p = spawnCollecting(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, HADOOP_CONF_DIR: c.hadoopConfDir, HADOOP_USER_NAME: c.superuser ?? 'root', ...env },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`tsflink ${args.join(' ')} timed out\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`));
    }, timeoutMs);
  });
  return Promise.race([p.exited.then((code): CliResult => ({ code, stdout: p.stdout(), stderr: p.stderr(), seconds: (Date.now() - t0) / 1000 })), timedOut])
    .finally(() => clearTimeout(timer));
}

export interface HttpAnswer { status: number; text: string }

/** An HTTP GET from a given local address (a client "host" other than the cluster's). */
export function httpGet(url: string, opts: { from?: string; token?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
    const req = httpRequest(url, { headers, ...(opts.from !== undefined ? { localAddress: opts.from } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function webhdfs(path: string, op: string): Promise<Response> {
  const c = current();
  return fetch(`${c.webhdfs}/webhdfs/v1${path}?op=${op}&user.name=${c.superuser ?? 'root'}`);
}

/** The concatenated text of the visible files of an HDFS directory. */
export async function readHdfsDir(path: string): Promise<string> {
  const list = (await (await webhdfs(path, 'LISTSTATUS')).json()) as { FileStatuses: { FileStatus: { pathSuffix: string; type: string }[] } };
  let out = '';
  for (const f of list.FileStatuses.FileStatus.filter((s) => s.type === 'FILE' && !s.pathSuffix.startsWith('.'))) {
    out += await (await webhdfs(`${path}/${f.pathSuffix}`, 'OPEN')).text();
  }
  return out;
}

/** The ApplicationMaster's stdout and stderr (jobmanager.out/.err) of every attempt of an application, from the NodeManagers' log dirs. */
export function amLog(appId: ApplicationId): string {
  let out = '';
  for (const nm of current().nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, formatApplicationId(appId));
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir).filter((d) => d.endsWith('_000001')).sort()) {
        for (const f of ['jobmanager.out', 'jobmanager.err']) if (existsSync(join(dir, c, f))) out += readFileSync(join(dir, c, f), 'utf8');
      }
    }
  }
  return out;
}
