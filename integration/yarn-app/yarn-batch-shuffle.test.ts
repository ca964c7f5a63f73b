/**
 * BATCH on YARN (issue 14): a word count with two blocking exchanges in a yarn-session on the real Hadoop
 * minicluster. The producers' sort-merge shuffle files (data + index) sit in the NodeManagers' container
 * local dirs (LOCAL_DIRS → io.tmp.dirs) while the last stage runs; the output on HDFS is exact; once the job
 * finished the JobMaster released every partition, so no shuffle file is left although the TaskManagers run on.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatApplicationId, parseApplicationId, type YarnClient, type ApplicationId } from '../../yarn-am/protocols/index.js';
import { FIXTURES, amLog, readHdfsDir, useYarnTestCluster, tsflink, type ClusterInfo } from './harness.js';
import { SHUFFLE_DIR_PREFIX } from '../../runtime/network/partition/ResultPartitionFactory.js';

let cluster: ClusterInfo;
let yarn: YarnClient;
let sessionId: ApplicationId | undefined;

useYarnTestCluster((c, y) => { cluster = c; yarn = y; }, () => sessionId);

/** Every file below the application's container local dirs on every NodeManager whose path has a shuffle directory in it. */
function shuffleFiles(appId: ApplicationId): string[] {
  const out: string[] = [];
  const walk = (dir: string, inShuffle: boolean): void => {
    let names: string[];
    try { names = readdirSync(dir); } catch { return; } // removed while we look
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try { st = statSync(p); } catch { continue; }
      const shuffle = inShuffle || n.startsWith(SHUFFLE_DIR_PREFIX);
      if (st.isDirectory()) walk(p, shuffle);
      else if (shuffle) out.push(p);
    }
  };
  for (const nm of cluster.nodemanagers) {
    for (const local of nm.localDirs.split(',')) walk(join(local, 'usercache', cluster.superuser ?? 'root', 'appcache', formatApplicationId(appId)), false);
  }
  return out;
}

describe('BATCH shuffle on YARN', () => {
  it('sort-merge shuffle files in the containers\' local dirs while the job runs, exact output on HDFS, none left after', async () => {
    const propsDir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-props-'));
    const common = ['-D', `yarn.properties-file.location=${propsDir}`];
    // min-parallelism 1: every blocking partition is a sort-merge file pair (Flink's default)
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '768', '-s', '2', '-nm', 'batch-shuffle-it', ...common,
      '-D', 'taskmanager.network.sort-shuffle.min-parallelism=1', '-D', 'resourcemanager.taskmanager-timeout=60 s']);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const id = /applicationID=(\S+)/.exec(readFileSync(join(propsDir, `.yarn-properties-${userInfo().username}`), 'utf8'))![1]!;
    sessionId = parseApplicationId(id);
    const appId = sessionId;
    const out = `/tmp/tsflink-yarn-batch-shuffle/${Date.now()}`;
    const [lines, vocab] = [20_000, 50];

    // while the job runs: remember every shuffle file seen
    const seen = new Set<string>();
    let running = true;
    const watcher = (async () => {
      while (running) {
        for (const f of shuffleFiles(appId)) seen.add(f);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const run = await tsflink(['run', '-t', 'yarn-session', ...common, '-p', '2', join(FIXTURES, 'batch-word-count-to-files.ts'), `${cluster.namenode}${out}`, `${lines}`, `${vocab}`, '12000']);
    running = false;
    await watcher;
    expect(run.code, `${run.stdout}\n${run.stderr}\n${amLog(appId)}`).toBe(0);

    const counts = (await readHdfsDir(out)).split('\n').filter(Boolean).sort();
    expect(counts).toEqual(Array.from({ length: vocab }, (_, w) => `w${w} ${(lines * 5) / vocab}`).sort());

    // the files were in the containers' LOCAL_DIRS (<nm local dir>/usercache/<user>/appcache/<app>/tsflink-netty-shuffle-<uuid>/)
    const rel = [...seen].map((f) => {
      const nm = cluster.nodemanagers.flatMap((n) => n.localDirs.split(',')).find((l) => f.startsWith(l))!;
      return relative(join(nm, 'usercache', cluster.superuser ?? 'root', 'appcache', formatApplicationId(appId)), f);
    });
    expect(rel.filter((r) => r.endsWith('.shuffle.data')).length, JSON.stringify(rel)).toBeGreaterThanOrEqual(2);
    expect(rel.filter((r) => r.endsWith('.shuffle.index')).length, JSON.stringify(rel)).toBeGreaterThanOrEqual(2);
    for (const r of rel) expect(r).toMatch(new RegExp(`^${SHUFFLE_DIR_PREFIX}[0-9a-f-]{36}/slot\\d+-\\d+-[0-9a-f]{8}\\.shuffle\\.(data|index)$`));

    // released by the JobMaster at the job's end: no file left, while the TaskManager containers still run
    const report = await yarn.getApplicationReport(appId);
    expect(report.state).toBe('RUNNING');
    const tmContainers = cluster.nodemanagers.flatMap((n) => n.localDirs.split(','))
      .map((l) => join(l, 'usercache', cluster.superuser ?? 'root', 'appcache', formatApplicationId(appId)))
      .filter(existsSync).flatMap((d) => readdirSync(d).filter((c) => c.startsWith('container_') && !c.endsWith('_000001')));
    expect(tmContainers.length).toBeGreaterThanOrEqual(1);
    expect(shuffleFiles(appId)).toEqual([]);

    const stop = await tsflink(['yarn-session', '--stop', ...common]);
    expect(stop.code, stop.stderr).toBe(0);
    sessionId = undefined;
  }, 400_000);
});
