// Submitted jobs that must outlive the JobManager (Flink's JobGraphStore): one directory per job
// with the submission (graph, arguments, configuration) and a copy of its bundle, so a JobManager
// on another host can rebuild and run it. Written before the job starts, removed once it ended.
import { readFile, writeFile as writeLocalFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getFileSystem, FileNotFoundError } from '../../../hdfs/index.js';
import type { JobSubmissionInfo } from '../gateways.js';

const SUBMISSION = 'submission.json';
const BUNDLE = 'bundle.mjs';

export class FileSystemJobGraphStore {
  constructor(readonly dir: string) {}

  private jobDir(jobId: string): string { return `${this.dir}/${jobId}`; }

  /** Stores the job (its bundle first, the submission last and atomically: a listed job is complete). */
  async putJobGraph(job: JobSubmissionInfo): Promise<void> {
    if (!job.bundle) throw new Error(`Job ${job.jobGraph.jobId} has no job bundle: only jobs submitted with their bundle can be recovered after a JobManager failure.`);
    const fs = getFileSystem(this.dir);
    const d = this.jobDir(job.jobGraph.jobId);
    await fs.mkdirs(d);
    await fs.writeFile(`${d}/${BUNDLE}`, await readFile(job.bundle.path), { overwrite: true });
    const stored: JobSubmissionInfo = { ...job, bundle: { ...job.bundle, path: BUNDLE } };
    // Temporary file + rename: a reader never sees half a submission.
    const tmp = `${d}/.${SUBMISSION}.inprogress`;
    await fs.writeFile(tmp, JSON.stringify(stored), { overwrite: true });
    await fs.delete(`${d}/${SUBMISSION}`, false);
    await fs.rename(tmp, `${d}/${SUBMISSION}`);
  }

  /** Ids of the stored jobs (complete ones: with their submission). */
  async jobIds(): Promise<string[]> {
    const fs = getFileSystem(this.dir);
    let entries;
    try {
      entries = await fs.listStatus(this.dir);
    } catch (e) {
      if (e instanceof FileNotFoundError) return [];
      throw e;
    }
    const ids = entries.filter((s) => s.isDirectory).map((s) => s.path.replace(/\/+$/, '').split('/').pop()!).filter((id) => /^[0-9a-f]{32}$/.test(id));
    const complete = await Promise.all(ids.map(async (id) => ((await fs.exists(`${this.jobDir(id)}/${SUBMISSION}`)) ? id : undefined)));
    return complete.filter((id): id is string => id !== undefined).sort();
  }

  /** The stored submission; its bundle is copied to `localDir` (the JobManager loads it from there). */
  async recoverJobGraph(jobId: string, localDir: string): Promise<JobSubmissionInfo> {
    const fs = getFileSystem(this.dir);
    const d = this.jobDir(jobId);
    const where = `${d}/${SUBMISSION}`;
    let job: JobSubmissionInfo;
    try {
      job = JSON.parse((await fs.readFile(where)).toString('utf8')) as JobSubmissionInfo;
    } catch (e) {
      throw new Error(`Cannot recover job ${jobId}: ${where} is unreadable (${(e as Error).message}). Remove ${d} to drop the job.`, { cause: e });
    }
    if (!job?.jobGraph || job.jobGraph.jobId !== jobId || !job.bundle) throw new Error(`Cannot recover job ${jobId}: ${where} does not describe it. Remove ${d} to drop the job.`);
    const local = join(localDir, `recovered-${jobId}.mjs`);
    await writeLocalFile(local, await fs.readFile(`${d}/${BUNDLE}`));
    return { ...job, bundle: { ...job.bundle, path: local } };
  }

  async removeJobGraph(jobId: string): Promise<void> {
    await getFileSystem(this.dir).delete(this.jobDir(jobId), true);
  }
}
