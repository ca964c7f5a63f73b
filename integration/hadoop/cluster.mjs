// Lifecycle of tsflink's Hadoop test cluster (MiniDFSCluster + MiniYARNCluster in one JVM).
// Used by start.mjs / stop.mjs (npm run hadoop:start|stop) and by the vitest global setup.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HADOOP_DIR = path.dirname(fileURLToPath(import.meta.url));
// TSFLINK_HADOOP_RUN_DIR runs a second, private cluster (e.g. for benchmarks) next to the shared one.
export const RUN_DIR = process.env.TSFLINK_HADOOP_RUN_DIR ? path.resolve(process.env.TSFLINK_HADOOP_RUN_DIR) : path.join(HADOOP_DIR, '.run');
export const CLUSTER_JSON = path.join(RUN_DIR, 'cluster.json');
export const CLUSTER_LOG = path.join(RUN_DIR, 'cluster.log');

/** Files of the cluster kept in `runDir` (default: the shared .run). */
function paths(runDir = RUN_DIR) {
  const d = path.resolve(runDir);
  return {
    RUN: d,
    CLUSTER_JSON: path.join(d, 'cluster.json'),
    CLUSTER_LOG: path.join(d, 'cluster.log'),
    PID_FILE: path.join(d, 'launcher.pid'),
    LOCK_DIR: path.join(d, 'start.lock'),
    LEASE_DIR: path.join(d, 'leases'),
    STARTED_BY: path.join(d, 'started-by'),
  };
}
const TARGET = path.join(HADOOP_DIR, 'target');
const CLASSPATH_FILE = path.join(TARGET, 'classpath.txt');
const MAIN_CLASS_FILE = path.join(TARGET, 'classes', 'tsflink', 'hadoop', 'TestCluster.class');
// Touched after each successful build (Maven leaves classpath.txt's mtime alone when unchanged).
const BUILD_STAMP = path.join(TARGET, '.tsflink-build-stamp');

// Hadoop reflects into JDK internals; `java -cp` bypasses the hadoop scripts that add these.
const ADD_OPENS = [
  'java.io', 'java.lang', 'java.lang.reflect', 'java.math', 'java.net', 'java.nio', 'java.text', 'java.util',
  'java.util.concurrent', 'java.util.zip', 'sun.security.util', 'sun.security.x509', 'sun.nio.ch',
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

/**
 * Where HDFS/YARN keep their data: $TSFLINK_HADOOP_DATA_DIR, else tmpfs (/dev/shm, when it has
 * room) because the VM disk's fsync latency makes small-file workloads ~10x slower, else .run/data.
 */
function dataDir(RUN_DIR) {
  if (process.env.TSFLINK_HADOOP_DATA_DIR) return { dir: path.resolve(process.env.TSFLINK_HADOOP_DATA_DIR), tmpfs: false };
  try {
    const st = fs.statfsSync('/dev/shm');
    if (st.bavail * st.bsize > 6 * 1024 ** 3) {
      const tag = createHash('sha1').update(RUN_DIR).digest('hex').slice(0, 10);
      return { dir: path.join('/dev/shm', `tsflink-hadoop-${tag}`), tmpfs: true };
    }
  } catch {
    // no /dev/shm
  }
  return { dir: path.join(RUN_DIR, 'data'), tmpfs: false };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function log(msg) {
  process.stderr.write(`[hadoop] ${msg}\n`);
}

export function readClusterInfo(runDir) {
  try {
    return JSON.parse(fs.readFileSync(paths(runDir).CLUSTER_JSON, 'utf8'));
  } catch {
    return undefined;
  }
}

function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

async function answers(url, timeoutMs = 3000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/** A running cluster: pid alive, control channel and WebHDFS answer. */
export async function runningCluster(runDir) {
  const info = readClusterInfo(runDir);
  if (!info || !pidAlive(info.pid)) return undefined;
  if (!(await answers(`${info.control}/status`))) return undefined;
  if (info.namenodeRunning && !(await answers(`${info.webhdfs}/webhdfs/v1/?op=GETFILESTATUS`))) return undefined;
  return info;
}

function newer(file, than) {
  try {
    return fs.statSync(file).mtimeMs > fs.statSync(than).mtimeMs;
  } catch {
    return true;
  }
}

function sourcesChanged() {
  const srcFiles = [path.join(HADOOP_DIR, 'pom.xml')];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else srcFiles.push(p);
    }
  };
  walk(path.join(HADOOP_DIR, 'src'));
  return srcFiles.some((f) => newer(f, BUILD_STAMP));
}

/** Builds the launcher if target/ is missing or stale: offline first (warm ~/.m2), then online. */
export async function ensureBuilt() {
  const upToDate = () => fs.existsSync(CLASSPATH_FILE) && fs.existsSync(MAIN_CLASS_FILE) && !sourcesChanged();
  if (upToDate()) return;
  // One Maven build at a time, even when several clusters start at once.
  await withLock(path.join(HADOOP_DIR, '.run', 'build'), async () => {
    if (!upToDate()) build();
  });
}

function build() {
  const mvn = spawnSync('mvn', ['-v'], { stdio: 'ignore' });
  if (mvn.error || mvn.status !== 0) {
    throw new Error('Maven (mvn) is not on PATH; install it (Debian: apt-get install -y maven openjdk-17-jdk-headless) to build the Hadoop test cluster');
  }
  for (const offline of [true, false]) {
    log(`building launcher with Maven${offline ? ' (offline)' : ' (online; first run downloads Hadoop to ~/.m2)'}`);
    const args = ['-B', '-q', ...(offline ? ['-o'] : []), 'package', '-DskipTests'];
    const r = spawnSync('mvn', args, { cwd: HADOOP_DIR, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status === 0 && fs.existsSync(CLASSPATH_FILE)) {
      fs.writeFileSync(BUILD_STAMP, new Date().toISOString());
      return;
    }
    if (!offline) {
      throw new Error(`Maven build of ${HADOOP_DIR} failed (mvn ${args.join(' ')}):\n${(r.stdout + r.stderr).slice(-4000)}`);
    }
  }
}

function javaOk() {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new Error('java is not on PATH; the Hadoop test cluster needs Java 17 (Debian: apt-get install -y openjdk-17-jdk-headless)');
  }
}

async function withLock(runDir, fn) {
  const { RUN, LOCK_DIR } = paths(runDir);
  fs.mkdirSync(RUN, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than the start timeout belongs to a dead starter.
      const age = Date.now() - fs.statSync(LOCK_DIR).mtimeMs;
      if (age > 300_000) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}; remove it if no cluster start is running`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Starts the cluster in the background, or reuses a running one.
 * Resolves with { info, started } once cluster.json is written and the cluster answers.
 */
export async function startCluster(opts = {}) {
  const P = paths(opts.runDir);
  const { CLUSTER_JSON, CLUSTER_LOG, PID_FILE, STARTED_BY } = P;
  return withLock(opts.runDir, async () => {
    const existing = await runningCluster(opts.runDir);
    if (existing) {
      if (opts.lease) takeLease(opts.runDir);
      log(`reusing running cluster pid ${existing.pid} (webhdfs ${existing.webhdfs})`);
      return { info: existing, started: false };
    }
    const stale = readClusterInfo(opts.runDir);
    if (stale && pidAlive(stale.pid)) {
      log(`cluster pid ${stale.pid} is alive but does not answer; stopping it`);
      await stopPid(stale.pid, stale.control);
    }
    javaOk();
    await ensureBuilt();
    fs.rmSync(CLUSTER_JSON, { force: true });
    const timeoutMs = Number(opts.timeoutMs ?? process.env.TSFLINK_HADOOP_START_TIMEOUT_MS ?? 180_000);
    const heap = process.env.TSFLINK_HADOOP_HEAP ?? '3g';
    const extraJvm = (process.env.TSFLINK_HADOOP_JVM_OPTS ?? '').split(/\s+/).filter(Boolean);
    const classpath = `${path.join(TARGET, 'classes')}:${fs.readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
    const args = [
      `-Xmx${heap}`, '-XX:+IgnoreUnrecognizedVMOptions', ...ADD_OPENS,
      '-Djava.net.preferIPv4Stack=true', ...extraJvm,
      '-cp', classpath, 'tsflink.hadoop.TestCluster', '--dir', P.RUN,
      '--datanodes', String(opts.datanodes ?? 2), '--nodemanagers', String(opts.nodemanagers ?? 2),
      '--block-size', String(opts.blockSize ?? process.env.TSFLINK_HADOOP_BLOCK_SIZE ?? 32 * 1024 * 1024),
      '--nm-memory-mb', String(opts.nmMemoryMb ?? process.env.TSFLINK_HADOOP_NM_MEMORY_MB ?? 8192),
    ];
    const data = dataDir(P.RUN);
    args.push('--data-dir', data.dir);
    if (opts.noYarn) args.push('--no-yarn');
    if (data.tmpfs) args.push('--delete-data-on-exit');
    args.splice(args.indexOf('-cp'), 0, `-Dtest.build.data=${path.join(data.dir, 'yarn')}`);
    const out = fs.openSync(CLUSTER_LOG, 'w');
    const t0 = Date.now();
    log(`starting minicluster (log: ${CLUSTER_LOG})`);
    const child = spawn('java', args, { cwd: P.RUN, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    let exited = null;
    child.on('exit', (code, sig) => { exited = sig ?? code; });
    child.unref();
    fs.writeFileSync(PID_FILE, String(child.pid));
    while (Date.now() - t0 < timeoutMs) {
      await sleep(500);
      if (exited !== null) {
        throw new Error(`Hadoop test cluster exited (${exited}) during start-up; last log lines:\n${tail(CLUSTER_LOG)}`);
      }
      const info = readClusterInfo(opts.runDir);
      if (info && info.pid === child.pid && (await runningCluster(opts.runDir))) {
        fs.writeFileSync(STARTED_BY, opts.lease ? 'test-run' : 'manual');
        if (opts.lease) takeLease(opts.runDir);
        log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: webhdfs ${info.webhdfs}, RM ${info.resourceManager}`);
        return { info, started: true };
      }
    }
    await stopPid(child.pid);
    throw new Error(`Hadoop test cluster not ready within ${timeoutMs} ms (TSFLINK_HADOOP_START_TIMEOUT_MS); last log lines:\n${tail(CLUSTER_LOG)}`);
  });
}

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopPid(pid, control) {
  if (control) {
    try {
      await fetch(`${control}/shutdown`, { method: 'POST', signal: AbortSignal.timeout(3000) });
    } catch {
      // fall through to signals
    }
  } else if (pidAlive(pid)) {
    process.kill(pid, 'SIGTERM');
  }
  for (let i = 0; i < 60 && pidAlive(pid); i++) await sleep(500);
  if (pidAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 20 && pidAlive(pid); i++) await sleep(500);
  }
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
}

// Leases let concurrent test runs share one cluster: a run holds a lease while it uses the
// cluster, and the last run out stops it, but only if a test run (not hadoop:start) started it.
function takeLease(runDir) {
  const { LEASE_DIR } = paths(runDir);
  fs.mkdirSync(LEASE_DIR, { recursive: true });
  fs.writeFileSync(path.join(LEASE_DIR, String(process.pid)), '');
}

function liveLeases(runDir) {
  const { LEASE_DIR } = paths(runDir);
  let names = [];
  try {
    names = fs.readdirSync(LEASE_DIR);
  } catch {
    return [];
  }
  return names.map(Number).filter((pid) => {
    if (pidAlive(pid)) return true;
    fs.rmSync(path.join(LEASE_DIR, String(pid)), { force: true });
    return false;
  });
}

/** Ends this process's lease; stops the cluster if no other run holds one and a test run started it. */
export async function releaseLease(runDir) {
  const { LEASE_DIR, STARTED_BY } = paths(runDir);
  fs.rmSync(path.join(LEASE_DIR, String(process.pid)), { force: true });
  return withLock(runDir, async () => {
    if (liveLeases(runDir).length > 0) return false;
    let by = 'manual';
    try {
      by = fs.readFileSync(STARTED_BY, 'utf8').trim();
    } catch {
      // unknown: leave it running
    }
    if (by !== 'test-run' || process.env.TSFLINK_HADOOP_KEEP === '1') return false;
    return stopCluster(runDir);
  });
}

/** Stops the cluster recorded in .run (cluster.json or launcher.pid). Resolves true if one was running. */
export async function stopCluster(runDir) {
  const { CLUSTER_JSON, PID_FILE, STARTED_BY } = paths(runDir);
  const info = readClusterInfo(runDir);
  let pid = info?.pid;
  if (!pid && fs.existsSync(PID_FILE)) pid = Number(fs.readFileSync(PID_FILE, 'utf8'));
  if (!pidAlive(pid)) {
    fs.rmSync(CLUSTER_JSON, { force: true });
    return false;
  }
  log(`stopping cluster pid ${pid}`);
  await stopPid(pid, info?.pid === pid ? info.control : undefined);
  fs.rmSync(CLUSTER_JSON, { force: true });
  fs.rmSync(PID_FILE, { force: true });
  fs.rmSync(STARTED_BY, { force: true });
  return true;
}
