// Schedules and their run records on the cluster's storage (local disk or HDFS through WebHDFS),
// so a JobManager or ApplicationMaster restart neither loses history nor repeats an interval.
// Layout: <dir>/<schedule>/schedule.json, <dir>/<schedule>/job.mjs, <dir>/<schedule>/runs/<runId>.json.
import { getFileSystem, FileNotFoundError, type FileSystem } from '../../hdfs/index.js';
import type { ScheduleSpec } from './ScheduleSpec.js';
import type { ScheduleRun } from './ScheduleRun.js';

export interface StoredSchedule {
  spec: ScheduleSpec;
  createdAt: number;
  paused: boolean;
  /** End of the last interval materialized: intervals before it are never created again. */
  materializedUntil?: number;
  /** Runtime URL the stored bundle imports (re-pinned when loaded by another installation). */
  bundleRuntime: string;
  bundleHash: string;
  /** Intervals missed and not materialized (catchup none, catch-up guard), for status and metrics. */
  missedIntervals: number;
}

const TMP = '.tmp';

export class RunHistoryStore {
  private readonly fs: FileSystem;
  private readonly dir: string;

  constructor(dir: string, conf?: Record<string, unknown>) {
    this.dir = dir.replace(/\/+$/, '');
    this.fs = getFileSystem(this.dir, conf);
  }

  get location(): string { return this.dir; }

  private scheduleDir(name: string): string { return `${this.dir}/${name}`; }

  async listSchedules(): Promise<StoredSchedule[]> {
    await this.fs.mkdirs(this.dir);
    const out: StoredSchedule[] = [];
    for (const st of await this.fs.listStatus(this.dir)) {
      if (!st.isDirectory) continue;
      const name = st.path.replace(/\/+$/, '').split('/').pop()!;
      const s = await this.readJson<StoredSchedule>(`${this.scheduleDir(name)}/schedule.json`);
      if (s) out.push(s);
    }
    return out;
  }

  async saveSchedule(s: StoredSchedule): Promise<void> {
    await this.writeJson(`${this.scheduleDir(s.spec.name)}/schedule.json`, s);
  }

  async deleteSchedule(name: string): Promise<void> {
    await this.fs.delete(this.scheduleDir(name), true);
  }

  async putBundle(name: string, code: Uint8Array): Promise<void> {
    await this.fs.mkdirs(this.scheduleDir(name));
    await this.fs.writeFile(`${this.scheduleDir(name)}/job.mjs`, code, { overwrite: true });
  }

  async getBundle(name: string): Promise<Buffer> { return this.fs.readFile(`${this.scheduleDir(name)}/job.mjs`); }

  async saveRun(run: ScheduleRun): Promise<void> {
    await this.writeJson(`${this.scheduleDir(run.schedule)}/runs/${run.runId}.json`, run);
  }

  async deleteRun(schedule: string, runId: string): Promise<void> {
    const f = `${this.scheduleDir(schedule)}/runs/${runId}.json`;
    await this.fs.delete(`${f}${TMP}`, false);
    await this.fs.delete(f, false);
  }

  async listRuns(schedule: string): Promise<ScheduleRun[]> {
    const dir = `${this.scheduleDir(schedule)}/runs`;
    let entries;
    try { entries = await this.fs.listStatus(dir); } catch (e) { if (e instanceof FileNotFoundError) return []; throw e; }
    const ids = new Set<string>();
    for (const st of entries) {
      const f = st.path.split('/').pop()!;
      if (f.endsWith('.json')) ids.add(f.slice(0, -5));
      else if (f.endsWith(`.json${TMP}`)) ids.add(f.slice(0, -5 - TMP.length));
    }
    const runs: ScheduleRun[] = [];
    for (const id of ids) {
      const r = await this.readJson<ScheduleRun>(`${dir}/${id}.json`);
      if (r) runs.push(r);
    }
    return runs.sort((a, b) => a.intervalStart - b.intervalStart || a.createdAt - b.createdAt);
  }

  /**
   * Replaces a file as atomically as rename allows (HDFS rename does not overwrite): new bytes to
   * <f>.tmp, delete <f>, rename. A crash in between leaves <f>.tmp, which readJson prefers when whole.
   */
  private async writeJson(path: string, value: unknown): Promise<void> {
    const tmp = `${path}${TMP}`;
    await this.fs.mkdirs(path.slice(0, path.lastIndexOf('/')));
    await this.fs.writeFile(tmp, JSON.stringify(value), { overwrite: true });
    await this.fs.delete(path, false);
    await this.fs.rename(tmp, path);
  }

  private async readJson<T>(path: string): Promise<T | undefined> {
    const tryRead = async (p: string): Promise<T | undefined> => {
      try { return JSON.parse((await this.fs.readFile(p)).toString('utf8')) as T; } catch (e) {
        if (e instanceof FileNotFoundError || e instanceof SyntaxError) return undefined;
        throw e;
      }
    };
    return (await tryRead(`${path}${TMP}`)) ?? tryRead(path);
  }
}
