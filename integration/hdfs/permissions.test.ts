// fs.permissions.umask-mode on the minicluster: the modes of what the FileSystem creates, read back
// through WebHDFS GETFILESTATUS and Hadoop's own FsShell (which also shows Hadoop's client agrees).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataGeneratorSource, DiscardingSink, RichMapFunction, StreamExecutionEnvironment, ValueStateDescriptor, WatermarkStrategy, type ValueState } from 'tsflink';
import { CheckpointStorage, WebHdfsFileSystem, closeOutput, getFileSystem, type FileSystem } from '../../hdfs/index.js';
import { waitFor } from '../../runtime/testing/waitFor.js';
import { HADOOP_DIR } from '../hadoop/cluster.mjs';
import { cluster, hdfsConf } from './cluster.js';

const base = `/tmp/it-perm-${randomUUID().slice(0, 8)}`;
const tmpDirs: string[] = [];
let fs022: FileSystem;

/** Mode (octal string) as the NameNode reports it. */
async function mode(p: string): Promise<string> {
  const res = await fetch(`${cluster().webhdfs}/webhdfs/v1${p}?op=GETFILESTATUS&user.name=${cluster().superuser}`);
  const body = (await res.json()) as { FileStatus?: { permission: string } };
  if (!body.FileStatus) throw new Error(`GETFILESTATUS ${p}: ${JSON.stringify(body)}`);
  return body.FileStatus.permission;
}

/** A copy of the cluster's conf dir with fs.permissions.umask-mode set in core-site.xml. */
function confDirWithUmask(umask: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsflink-it-umask-'));
  tmpDirs.push(dir);
  for (const f of fs.readdirSync(cluster().hadoopConfDir)) fs.copyFileSync(path.join(cluster().hadoopConfDir, f), path.join(dir, f));
  const core = path.join(dir, 'core-site.xml');
  const prop = `  <property>\n    <name>fs.permissions.umask-mode</name>\n    <value>${umask}</value>\n  </property>\n</configuration>`;
  fs.writeFileSync(core, fs.readFileSync(core, 'utf8').replace(/<\/configuration>\s*$/, prop));
  return dir;
}

/** writeFile and create into missing directories, mkdirs with a missing parent, an explicit mode. */
async function makeTree(fsys: FileSystem, root: string): Promise<void> {
  await fsys.writeFile(`${root}/w/f.txt`, 'small');
  await fsys.mkdirs(`${root}/a/b`);
  const out = await fsys.create(`${root}/s/g.bin`);
  out.write(Buffer.alloc(1024, 1));
  await closeOutput(out);
  await fsys.writeFile(`${root}/a/explicit`, 'x', { permission: '664' });
}

async function treeModes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of ['', 'a', 'a/b', 'w', 'w/f.txt', 's', 's/g.bin', 'a/explicit']) out[p] = await mode(p ? `${root}/${p}` : root);
  return out;
}

class Count extends RichMapFunction<number, number> {
  private count!: ValueState<number>;
  override open(): void { this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count')); }
  map(v: number): number { const c = (this.count.value() ?? 0) + 1; this.count.update(c); return v + c; }
}

const expected = (dir: string, file: string, explicit: string) => ({ '': dir, a: dir, 'a/b': dir, w: dir, 'w/f.txt': file, s: dir, 's/g.bin': file, 'a/explicit': explicit });

beforeAll(async () => {
  fs022 = getFileSystem(`${cluster().namenode}${base}`, hdfsConf({ 'fs.hdfs.user': cluster().superuser }));
  await fs022.mkdirs(base);
  // Like /tmp: directories that CREATE makes implicitly take the nearest existing ancestor's mode,
  // so a 777 base shows whether the FileSystem made them itself, with the umask.
  await (fs022 as WebHdfsFileSystem).setPermission(base, '777');
});

afterAll(async () => {
  await fs022?.delete(base, true);
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('umask on hdfs', () => {
  it('default 022: directories 755, files 644, explicit modes masked', async () => {
    await makeTree(fs022, `${base}/d022`);
    expect(await treeModes(`${base}/d022`)).toEqual(expected('755', '644', '644'));
  });

  it('077 from HADOOP_CONF_DIR: 700 / 600 on hdfs://, webhdfs:// and checkpoint directories', async () => {
    const saved = process.env['HADOOP_CONF_DIR'];
    process.env['HADOOP_CONF_DIR'] = confDirWithUmask('077');
    try {
      const conf = { 'fs.hdfs.user': cluster().superuser };
      await makeTree(getFileSystem('hdfs:///', conf), `${base}/d077`);
      expect(await treeModes(`${base}/d077`)).toEqual(expected('700', '600', '600'));

      const web = getFileSystem(`webhdfs://${cluster().webhdfs.replace(/^http:\/\//, '')}/`, conf);
      expect(web.scheme).toBe('webhdfs');
      await makeTree(web, `${base}/w077`);
      expect(await treeModes(`${base}/w077`)).toEqual(expected('700', '600', '600'));

      const chk = new CheckpointStorage(`hdfs://${base}/chk`, 'job1', conf);
      await chk.initialize();
      const h = await chk.writeState(1, 'op-state', Buffer.from('state'));
      expect([await mode(`${base}/chk/job1`), await mode(`${base}/chk/job1/shared`), await mode(`${base}/chk/job1/chk-1`)]).toEqual(['700', '700', '700']);
      expect(await mode(new URL(h.path).pathname)).toBe('600');
    } finally {
      if (saved === undefined) delete process.env['HADOOP_CONF_DIR'];
      else process.env['HADOOP_CONF_DIR'] = saved;
    }
  });

  it('symbolic u=rwx,g=rx,o= through flink.hadoop.*: 750 / 640', async () => {
    const fsys = getFileSystem('hdfs:///', hdfsConf({ 'fs.hdfs.user': cluster().superuser, 'flink.hadoop.fs.permissions.umask-mode': 'u=rwx,g=rx,o=' }));
    await makeTree(fsys, `${base}/sym`);
    expect(await treeModes(`${base}/sym`)).toEqual(expected('750', '640', '640'));
  });

  it('a job\'s checkpoints under execution.checkpointing.dir=hdfs://: every directory and file it made is 750 / 640 with umask 027', async () => {
    const saved = process.env['HADOOP_CONF_DIR'];
    process.env['HADOOP_CONF_DIR'] = confDirWithUmask('027');
    const dir = `${cluster().namenode}${base}/job-chk`;
    try {
      const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'fs.hdfs.user': cluster().superuser });
      env.setParallelism(2).enableCheckpointing(100);
      env.getCheckpointConfig().setCheckpointStorage(dir);
      env.getCheckpointConfig().setExternalizedCheckpointRetention('RETAIN_ON_CANCELLATION');
      env.fromSource(new DataGeneratorSource<number>((i) => i, 1_000_000, 2_000), WatermarkStrategy.noWatermarks(), 'numbers')
        .keyBy((v) => v % 8)
        .map(new Count())
        .sinkTo(new DiscardingSink<number>());
      const client = await env.executeAsync('umask-checkpoints');
      const jobDir = `${base}/job-chk/${client.getJobID()}`;
      const list = async (p: string): Promise<Array<{ pathSuffix: string; type: string; permission: string }>> => {
        const r = (await (await fetch(`${cluster().webhdfs}/webhdfs/v1${p}?op=LISTSTATUS&user.name=${cluster().superuser}`)).json()) as { FileStatuses?: { FileStatus: Array<{ pathSuffix: string; type: string; permission: string }> } };
        return r.FileStatuses?.FileStatus ?? [];
      };
      try {
        await waitFor('a completed checkpoint on HDFS', async () => (await list(jobDir)).some((s) => s.pathSuffix.startsWith('chk-')) &&
          (await Promise.all((await list(jobDir)).filter((s) => s.pathSuffix.startsWith('chk-')).map(async (s) => (await list(`${jobDir}/${s.pathSuffix}`)).some((f) => f.pathSuffix === '_metadata')))).some(Boolean), 60_000, 100);
      } finally {
        await client.cancel();
        await client.getJobExecutionResult().catch(() => undefined);
      }
      const seen: Record<string, Set<string>> = { DIRECTORY: new Set(), FILE: new Set() };
      let files = 0;
      const walk = async (p: string): Promise<void> => {
        for (const s of await list(p)) {
          seen[s.type]!.add(s.permission);
          if (s.type === 'DIRECTORY') await walk(`${p}/${s.pathSuffix}`);
          else files++;
        }
      };
      seen['DIRECTORY']!.add(await mode(jobDir));
      await walk(jobDir);
      expect(files).toBeGreaterThan(0);
      expect({ dirs: [...seen['DIRECTORY']!], files: [...seen['FILE']!] }).toEqual({ dirs: ['750'], files: ['640'] });
      expect(await mode(`${base}/job-chk`)).toBe('750');
    } finally {
      if (saved === undefined) delete process.env['HADOOP_CONF_DIR'];
      else process.env['HADOOP_CONF_DIR'] = saved;
    }
  });

  const target = path.join(HADOOP_DIR, 'target');
  const shellReady = fs.existsSync(path.join(target, 'classes', 'tsflink', 'hadoop', 'FsShellTimed.class')) && spawnSync('java', ['-version']).status === 0;
  it.skipIf(!shellReady)('Hadoop FsShell sees the same modes, and its own client makes the same ones under 077', async () => {
    const conf077 = confDirWithUmask('077');
    const saved = process.env['HADOOP_CONF_DIR'];
    process.env['HADOOP_CONF_DIR'] = conf077;
    try {
      await makeTree(getFileSystem('hdfs:///', { 'fs.hdfs.user': cluster().superuser }), `${base}/ours`);
    } finally {
      if (saved === undefined) delete process.env['HADOOP_CONF_DIR'];
      else process.env['HADOOP_CONF_DIR'] = saved;
    }
    // The conf dir first on the classpath is what FsShell's Configuration reads.
    const classpath = [conf077, path.join(target, 'classes'), fs.readFileSync(path.join(target, 'classpath.txt'), 'utf8').trim()].join(':');
    const ours = ['d022', 'd022/a', 'd022/w/f.txt', 'ours', 'ours/w', 'ours/a/b', 'ours/w/f.txt', 'ours/s/g.bin'].map((p) => `${base}/${p}`);
    const theirs = [`${base}/shell/d/e`, `${base}/shell/f`];
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('java', ['-Xmx512m', '-cp', classpath, 'tsflink.hadoop.FsShellTimed',
        '-mkdir', '-p', theirs[0]!, '--', '-touchz', theirs[1]!, '--', '-stat', '%a %n', ...ours, `${base}/shell/d`, ...theirs],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HADOOP_USER_NAME: cluster().superuser } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`FsShell exited ${code}: ${stderr.slice(-2000)}`))));
    });
    const stats = out.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => l.split(' ')[0]);
    expect(stats).toEqual(['755', '755', '644', '700', '700', '700', '600', '600', '700', '700', '600']);
  });
});
