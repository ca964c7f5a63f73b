// Reads the snapshot a job is started from (execution.state-recovery.path, `run -s`): a savepoint
// directory, a retained chk-<n> directory, or the _metadata file itself (Flink's
// Checkpoints.loadAndValidateCheckpoint). File paths inside resolve against the snapshot's own
// directory, so a moved savepoint restores from where it is now.
import { getFileSystem, METADATA_FILE } from '../../hdfs/index.js';
import { deserializeCheckpointMetadata, type CheckpointMetadata } from './CheckpointMetadata.js';

export class SavepointNotFoundError extends Error {
  constructor(message: string) { super(message); this.name = 'SavepointNotFoundError'; }
}

export interface LoadedSnapshot {
  readonly metadata: CheckpointMetadata;
  /** The snapshot's directory (holding _metadata). */
  readonly directory: string;
}

export async function loadSnapshot(path: string): Promise<LoadedSnapshot> {
  const trimmed = path.replace(/\/+$/, '');
  const fs = getFileSystem(trimmed);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1] ?? 'file';
  let directory = trimmed;
  let file = `${trimmed}/${METADATA_FILE}`;
  if (trimmed.endsWith(`/${METADATA_FILE}`)) { directory = trimmed.slice(0, -METADATA_FILE.length - 1); file = trimmed; }
  if (!(await fs.exists(directory))) {
    throw new SavepointNotFoundError(`Cannot find checkpoint or savepoint file/directory '${path}' on file system '${scheme}'.`);
  }
  if (!(await fs.exists(file))) {
    throw new SavepointNotFoundError(`Cannot find meta data file '${METADATA_FILE}' in directory '${directory}'. Please try to load the checkpoint/savepoint directly from the metadata file instead of the directory.`);
  }
  const bytes = await fs.readFile(file);
  return { metadata: deserializeCheckpointMetadata(bytes, directory, file), directory };
}
