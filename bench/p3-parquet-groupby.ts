// P3: a BATCH group-by over Parquet on HDFS (issue 14). One invocation:
//   starts a private HDFS minicluster (integration/hadoop, HDFS only), writes the data set with tsflink's Parquet writer
//   (4 files of {id, key, amount, tag}, 64 Ki-row row groups), then alternating rounds of
//   tsflink BATCH p=1 and p=2 (embedded cluster, worker-thread slots: `tsflink run`'s path) and
//   Apache Flink BATCH p=1 and p=2 (local MiniCluster in a JVM, AvroParquetReaders; bench/p3-parquet-flink-peer, warm-up job first),
//   both reading hdfs://, projecting key and amount, keyBy(key) → sum(amount) → local files "key\tsum".
// Every run's output is checked equal to the sums computed here. Times: job net runtime (deploy to finish).
// Target: tsflink ≥ 1.5× Flink.
//   node dist/bench/p3-parquet-groupby.js [million rows=8] [rounds=3] [--no-flink] [--no-write]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { getFileSystem } from '../hdfs/index.js';
import { machineLine, median, writeResultsSection } from './machine.js';

type Bundle = Awaited<ReturnType<typeof bundleJob>>;
const WORK = join(tmpdir(), 'tsflink-p3-parquet');
const KEYS = 100_003;

interface ClusterInfo { namenode: string; hadoopConfDir: string; superuser: string; hadoopVersion: string }
interface ClusterModule {
  startCluster(opts: { runDir: string; noYarn: boolean; datanodes: number }): Promise<{ info: ClusterInfo; started: boolean }>;
  stopCluster(runDir: string): Promise<boolean>;
}

/** The data set's group-by result, computed directly: sorted "key\tsum" lines. */
function expectedOutput(rows: number): string {
  const sums = new Float64Array(KEYS);
  const seen = new Uint8Array(KEYS);
  for (let id = 0; id < rows; id++) { const k = (id * 7919) % KEYS; sums[k] += id % 1000; seen[k] = 1; }
  const lines: string[] = [];
  for (let k = 0; k < KEYS; k++) if (seen[k]) lines.push(`${k}\t${sums[k]}`);
  return lines.sort().join('\n');
}

/** Sorted lines of an output directory (every visible file, recursively). */
function outputOf(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      if (f.startsWith('.') || f.startsWith('_')) continue;
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else for (const l of readFileSync(p, 'utf8').split('\n')) if (l) lines.push(l);
    }
  };
  walk(dir);
  return lines.sort().join('\n');
}

async function tsflink(bundle: Bundle, p: number, args: string[], hdfs: Record<string, string>): Promise<number> {
  const conf = loadConfiguration({ dynamicProperties: {
    'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p), 'io.tmp.dirs': join(WORK, 'tmp'), ...hdfs,
  } });
  await runProgram({ bundle, args, configuration: conf });
  return (globalThis as { __tsflinkNetRuntime?: number }).__tsflinkNetRuntime!;
}

interface FlinkPeer { version: string; java: string; groupBy(p: number, input: string, output: string, warmup: string): Promise<number> }

function flinkPeer(info: ClusterInfo): FlinkPeer {
  const dir = join(packageRoot(), 'bench', 'p3-parquet-flink-peer');
  const cpFile = join(dir, 'target', 'cp.txt');
  if (!existsSync(cpFile) || !existsSync(join(dir, 'target', 'classes', 'bench', 'P3Parquet.class'))) {
    execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const classpath = `${join(dir, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  return {
    version: `Apache Flink ${/flink-streaming-java-([^/:]+)\.jar/.exec(classpath)?.[1] ?? 'unknown'} (flink-parquet, parquet-avro ${/parquet-avro-([^/:]+)\.jar/.exec(classpath)?.[1] ?? '?'})`,
    java: execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim(),
    groupBy: (p, input, output, warmup) => new Promise((resolve, reject) => {
      const warmOut = `${output}-warmup`;
      rmSync(warmOut, { recursive: true, force: true });
      const child = spawn('java', ['-cp', classpath, `-Djava.io.tmpdir=${join(WORK, 'tmp')}`, 'bench.P3Parquet', 'groupby', String(p), input, output, warmup, warmOut],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HADOOP_CONF_DIR: info.hadoopConfDir, HADOOP_USER_NAME: info.superuser } });
      let out = '', err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => {
        rmSync(warmOut, { recursive: true, force: true });
        const line = out.split('\n').find((l) => l.startsWith('RESULT '));
        if (code !== 0 || !line) reject(new Error(`Flink Parquet peer exited with ${code}: ${(out + err).slice(-3000)}`));
        else resolve((JSON.parse(line.slice(7)) as { ms: number }).ms);
      });
    }),
  };
}

async function main(): Promise<void> {
  const pos = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const rows = Math.round(Number(pos[0] ?? 8) * 1e6);
  const rounds = Number(pos[1] ?? 3);
  const write = !process.argv.includes('--no-write');
  mkdirSync(join(WORK, 'tmp'), { recursive: true });
  const hadoop = await import(pathToFileURL(join(packageRoot(), 'integration', 'hadoop', 'cluster.mjs')).href) as ClusterModule;
  const runDir = join(WORK, 'hadoop');
  const { info } = await hadoop.startCluster({ runDir, noYarn: true, datanodes: 1 });
  try {
    const hdfs = { 'fs.hdfs.hadoopconf': info.hadoopConfDir, 'fs.hdfs.user': info.superuser };
    // As a user would: the slots' HDFS clients (and Flink's) find the cluster through the environment.
    process.env['HADOOP_CONF_DIR'] = info.hadoopConfDir;
    process.env['HADOOP_USER_NAME'] = info.superuser;
    const base = `${info.namenode}/p3-parquet`;
    const data = `${base}/rows-${rows}`;
    const warmData = `${base}/warmup`;
    const fs = getFileSystem(base, hdfs);
    const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'p3-parquet-job.ts'));
    // 4 files (one per generating subtask), so p=2 reads in parallel splits.
    for (const [dir, n] of [[data, rows], [warmData, 200_000]] as const) {
      if (await fs.exists(dir)) continue;
      const t = performance.now();
      await tsflink(bundle, 4, ['generate', dir, String(n)], hdfs);
      console.error(`  generated ${n} rows in ${dir} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    const files = (await fs.listStatus(data)).filter((s) => !s.path.split('/').pop()!.startsWith('.'));
    const bytes = files.reduce((a, s) => a + s.length, 0);
    const expected = expectedOutput(rows);
    const flink = process.argv.includes('--no-flink') ? null : flinkPeer(info);
    const outDir = (k: string): string => { const d = join(WORK, `out-${k.replace(/\W+/g, '-')}`); rmSync(d, { recursive: true, force: true }); return d; };
    const t: Record<string, number[]> = {};
    const add = (k: string, ms: number, out: string): void => {
      const got = outputOf(out);
      if (got !== expected) throw new Error(`${k}: output differs from the expected sums (${got.split('\n').length} vs ${expected.split('\n').length} lines)`);
      rmSync(out, { recursive: true, force: true });
      (t[k] ??= []).push(ms);
      console.error(`  ${k}: ${ms.toFixed(0)} ms`);
    };
    { const o = outDir('warm'); await tsflink(bundle, 1, ['groupby', warmData, o], hdfs); rmSync(o, { recursive: true, force: true }); }
    for (let r = 0; r < rounds; r++) {
      for (const p of [1, 2]) {
        const o = outDir(`tsflink-${p}`);
        add(`tsflink p${p}`, await tsflink(bundle, p, ['groupby', data, o], hdfs), o);
        if (flink) { const f = outDir(`flink-${p}`); add(`flink p${p}`, await flink.groupBy(p, data, f, warmData), f); }
      }
    }
    const m = (k: string): number => median(t[k] ?? [NaN]);
    const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
    const rate = (ms: number): string => (Number.isFinite(ms) ? (rows / 1e6 / (ms / 1000)).toFixed(2) : '–');
    const row = (label: string, k: string): string => `| ${label} | ${f2(m(k) / 1000)} | ${rate(m(k))} | ${(t[k] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')} |`;
    const body = `Run ${new Date().toISOString()} (loaded: other agents share the machine). ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''} Hadoop ${info.hadoopVersion} minicluster (HDFS, 1 DataNode).

BATCH group-by over Parquet on HDFS: ${(rows / 1e6).toFixed(1)} M rows \`{id INT64, key INT32, amount INT64, tag UTF8}\` in ${files.length} files (${(bytes / 2 ** 20).toFixed(0)} MiB,
64 Ki-row row groups, written by tsflink's \`ParquetWriters\`), ${KEYS.toLocaleString('en-US')} keys; \`Parquet source (columns key, amount) → keyBy(key) → sum(amount) → FileSink\`,
every output checked equal to the sums computed by the bench. tsflink: \`FileSource.forBulkFileFormat(ParquetFormat.forRows(…))\` over hdfs:// (WebHDFS ranged reads), embedded
cluster, worker-thread slots (\`tsflink run\`'s path), blocking shuffle, BATCH pre-aggregation on (the default). Flink: \`AvroParquetReaders.forGenericRecord(projection)\` over hdfs://
(Hadoop client), local MiniCluster (\`bench/p3-parquet-flink-peer\`, one JVM per run, a warm-up job over 200 k rows first). Times: job net runtime; median of ${rounds} alternating rounds.

| | s | M rows/s | runs (s) |
|---|---:|---:|---|
${row('tsflink p=1', 'tsflink p1')}
${row('tsflink p=2', 'tsflink p2')}
${flink ? `${row('Apache Flink p=1', 'flink p1')}\n${row('Apache Flink p=2', 'flink p2')}` : ''}

- tsflink / Flink speed, p=1: **${f2(m('flink p1') / m('tsflink p1'))}×**, p=2: **${f2(m('flink p2') / m('tsflink p2'))}×** (target ≥ 1.5×).`;
    console.log(body);
    if (write) writeResultsSection(packageRoot(), 'P3 group-by over Parquet on HDFS: tsflink vs Apache Flink', body);
  } finally {
    await hadoop.stopCluster(runDir);
  }
}

await main();
