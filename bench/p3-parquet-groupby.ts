// P3: a BATCH group-by over Parquet on HDFS (issue 14). One invocation:
//   starts a private HDFS minicluster (integration/hadoop, HDFS only), writes the data set with tsflink's Parquet writer
//   (4 files of {id, key, amount, tag}, 64 Ki-row row groups), then alternating rounds of
//   tsflink BATCH p=1 and p=2 (embedded cluster, worker-thread slots: `tsflink run`'s path) and
//   Apache Flink BATCH p=1 and p=2 (local MiniCluster in a JVM, AvroParquetReaders; bench/p3-parquet-flink-peer, warm-up job first),
//   both reading hdfs://, projecting key and amount, keyBy(key) → sum(amount) → local files "key\tsum".
// Every run's output is checked equal to the sums computed here. Times: job net runtime (deploy to finish).
// Target: tsflink ≥ 1.5× Flink.
//   node dist/bench/p3-parquet-groupby.js [million rows=8] [rounds=3] [--no-flink] [--no-write]
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { getFileSystem } from '../hdfs/index.js';
import { effectiveCores, machineLine, writeResultsSection } from './machine.js';
import { f2, flinkPeer, runTsflink, Timings } from './p3-common.js';
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
    const tsflink = (p: number, args: string[]): Promise<number> => runTsflink(bundle, p, args, join(WORK, 'tmp'), hdfs);
    // 4 files (one per generating subtask), so p=2 reads in parallel splits.
    for (const [dir, n] of [[data, rows], [warmData, 200_000]] as const) {
      if (await fs.exists(dir)) continue;
      const t = performance.now();
      await tsflink(4, ['generate', dir, String(n)]);
      console.error(`  generated ${n} rows in ${dir} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    const files = (await fs.listStatus(data)).filter((s) => !s.path.split('/').pop()!.startsWith('.'));
    const bytes = files.reduce((a, s) => a + s.length, 0);
    const flink = process.argv.includes('--no-flink') ? null : flinkPeer('p3-parquet-flink-peer', 'bench.P3Parquet', join(WORK, 'tmp'), { 'flink-parquet, parquet-avro': 'parquet-avro' });
    const flinkEnv = { HADOOP_CONF_DIR: info.hadoopConfDir, HADOOP_USER_NAME: info.superuser };
    const outDir = (k: string): string => { const d = join(WORK, `out-${k.replace(/\W+/g, '-')}`); rmSync(d, { recursive: true, force: true }); return d; };
    const t = new Timings('the expected sums');
    t.expected = expectedOutput(rows);
    const cores = await effectiveCores();
    { const o = outDir('warm'); await tsflink(1, ['groupby', warmData, o]); rmSync(o, { recursive: true, force: true }); }
    for (let r = 0; r < rounds; r++) {
      for (const p of [1, 2]) {
        const o = outDir(`tsflink-${p}`);
        t.add(`tsflink p${p}`, await tsflink(p, ['groupby', data, o]), o);
        if (flink) { const f = outDir(`flink-${p}`); t.add(`flink p${p}`, await flink.run('groupby', p, data, f, warmData, flinkEnv), f); }
      }
    }
    const m = (k: string): number => t.median(k);
    const row = (label: string, k: string): string => t.row(label, k, (ms) => (rows / 1e6 / (ms / 1000)).toFixed(2));
    const body = `Run ${new Date().toISOString()} (loaded: other agents share the machine; effective cores for two busy threads at the start: ${cores.toFixed(2)} of 2). ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''} Hadoop ${info.hadoopVersion} minicluster (HDFS, 1 DataNode).

BATCH group-by over Parquet on HDFS: ${(rows / 1e6).toFixed(1)} M rows \`{id INT64, key INT32, amount INT64, tag UTF8}\` in ${files.length} files (${(bytes / 2 ** 20).toFixed(0)} MiB,
64 Ki-row row groups, written by tsflink's \`ParquetWriters\`), ${KEYS.toLocaleString('en-US')} keys; \`Parquet source (columns key, amount) → keyBy(key) → sum(amount) → FileSink\`,
every output checked equal to the sums computed by the bench. tsflink: \`FileSource.forBulkFileFormat(ParquetFormat.forRows(…))\` over hdfs:// (WebHDFS ranged reads), embedded
cluster, worker-thread slots (\`tsflink run\`'s path), blocking shuffle, BATCH pre-aggregation on (the default). Flink: \`AvroParquetReaders.forGenericRecord(projection)\` with Parquet's column projection (\`flink.hadoop.parquet.avro.projection\`) over hdfs://
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
