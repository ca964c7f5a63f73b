// Idempotent partition output (INSERT OVERWRITE of one `dt=` partition): a run's job writes into
// a hidden staging directory next to the partition ({{output}}); when the job succeeded, the
// staging directory gets its _SUCCESS marker and is renamed onto the partition, replacing what a
// previous run left. Renames within one directory are atomic on HDFS and local disk, so readers
// see the old partition, no partition for an instant, or the new one with _SUCCESS — never half.
import { getFileSystem, type FileSystem } from '../../hdfs/index.js';

export interface PartitionPaths { partition: string; staging: string; trash: string }

const parentOf = (p: string): { parent: string; base: string } => {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  if (i < 0 || i === t.length - 1) throw new Error(`output path '${p}' must name a partition directory below a table directory, e.g. /warehouse/orders/dt={{ds}}`);
  return { parent: t.slice(0, i) || '/', base: t.slice(i + 1) };
};

/** Staging and trash directories of one attempt: hidden (dot-prefixed) siblings of the partition. */
export function partitionPaths(partition: string, runId: string, attempt: number): PartitionPaths {
  const { parent, base } = parentOf(partition);
  const join = (name: string): string => (parent.endsWith('/') ? `${parent}${name}` : `${parent}/${name}`);
  return { partition: partition.replace(/\/+$/, ''), staging: join(`.staging-${base}-${runId}-${attempt}`), trash: join(`.trash-${base}-${runId}-${attempt}`) };
}

export class PartitionCommitter {
  constructor(private readonly conf?: Record<string, unknown>, private readonly successFile = '_SUCCESS') {}

  private fs(path: string): FileSystem { return getFileSystem(path, this.conf); }

  /** Before an attempt: an empty staging directory (left-overs of a crashed attempt removed). */
  async prepare(p: PartitionPaths): Promise<void> {
    const fs = this.fs(p.staging);
    await fs.delete(p.staging, true);
    await fs.mkdirs(p.staging);
  }

  /** After a successful job: _SUCCESS into staging, then staging replaces the partition. */
  async commit(p: PartitionPaths, successFile = this.successFile): Promise<void> {
    const fs = this.fs(p.partition);
    if (!(await fs.exists(p.staging))) throw new Error(`staging directory ${p.staging} of partition ${p.partition} is missing: the job did not write its output to {{output}}`);
    await fs.writeFile(`${p.staging}/${successFile}`, '', { overwrite: true });
    await fs.delete(p.trash, true);
    const replaced = await fs.exists(p.partition);
    if (replaced) await fs.rename(p.partition, p.trash);
    await fs.rename(p.staging, p.partition);
    if (replaced) await fs.delete(p.trash, true);
  }

  /** After a failed attempt: its staging output is dropped; the partition is untouched. */
  async abort(p: PartitionPaths): Promise<void> {
    await this.fs(p.staging).delete(p.staging, true);
  }

  /** Empties a run's rejects directory before an attempt, so its count is the attempt's. */
  async clear(dir: string): Promise<void> { await this.fs(dir).delete(dir, true); }

  /** Lines in the visible files of a directory (a run's rejected records); 0 if it does not exist. */
  async countLines(dir: string): Promise<number> {
    const fs = this.fs(dir);
    if (!(await fs.exists(dir))) return 0;
    let n = 0;
    for (const st of await fs.listStatus(dir)) {
      const base = st.path.slice(st.path.lastIndexOf('/') + 1);
      // Hidden as Hadoop readers hide them: a failed sink's in-progress files, markers.
      if (st.isDirectory || base.startsWith('.') || base.startsWith('_')) continue;
      const b = await fs.readFile(st.path);
      for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
    }
    return n;
  }
}
