// Results of ended jobs (Flink's JobResultStore): a recovering JobManager must not run a job again
// that already ended (its graph may still be stored if the JobManager died between the two writes).
import { getFileSystem } from '../../../hdfs/index.js';

export interface JobResultEntry { jobId: string; status: string; endTime: number }

export class FileSystemJobResultStore {
  constructor(readonly dir: string) {}

  async createDirtyResult(entry: JobResultEntry): Promise<void> {
    const fs = getFileSystem(this.dir);
    await fs.mkdirs(this.dir);
    await fs.writeFile(`${this.dir}/${entry.jobId}.json`, JSON.stringify(entry), { overwrite: true });
  }

  async hasJobResultEntry(jobId: string): Promise<boolean> {
    return getFileSystem(this.dir).exists(`${this.dir}/${jobId}.json`);
  }
}
