// Reference counts of shared state files (Flink's SharedStateRegistry): parts of incremental chains
// in <job>/shared/ that several retained checkpoints may reference. A file no retained checkpoint
// references any more is deleted once the *next* checkpoint completes without it: a task may still
// build on a chain whose checkpoint was just subsumed (it has not heard of the newer completion yet;
// barriers travel on data channels, completions on the control plane), and that checkpoint then
// takes the file back. Files an aborted checkpoint uploaded, which nothing references, go at once.
import type { CheckpointMetadata } from './CheckpointMetadata.js';
import type { OperatorSubtaskState, TaskStateSnapshot } from './StateHandles.js';

/** Every shared (incremental) file of a checkpoint's metadata. */
export function sharedFilesOfMetadata(m: CheckpointMetadata): string[] {
  const out: string[] = [];
  for (const op of Object.values(m.operators)) for (const st of Object.values(op.subtasks)) out.push(...sharedFilesOf(st));
  return out;
}

/** The shared files of one subtask's state (with the checkpoint that uploaded each). */
function sharedParts(s: OperatorSubtaskState): Array<{ path: string; uploadedBy: number }> {
  const out: Array<{ path: string; uploadedBy: number }> = [];
  for (const k of s.keyed) if (k.incremental && k.handle.kind === 'file') out.push({ path: k.handle.path, uploadedBy: k.incremental.uploadedBy });
  return out;
}

function sharedFilesOf(s: OperatorSubtaskState): string[] { return sharedParts(s).map((p) => p.path); }

export class SharedStateRegistry {
  /** path → the retained checkpoints that reference it. */
  private readonly refs = new Map<string, Set<number>>();
  /** path → the checkpoint whose completion left it unreferenced; deleted when a later one completes. */
  private readonly unreferenced = new Map<string, number>();

  constructor(private readonly deleteFile: (path: string) => Promise<void>) {}

  get numberOfFiles(): number { return this.refs.size + this.unreferenced.size; }
  /** The last path component of every file still kept (referenced, or awaiting the next completion). */
  registeredFileNames(): Set<string> { return new Set([...this.refs.keys(), ...this.unreferenced.keys()].map(baseName)); }
  isRegistered(path: string): boolean { return this.refs.has(path) || this.unreferenced.has(path); }

  /** A completed (retained) checkpoint references these files. */
  register(checkpointId: number, paths: readonly string[]): void {
    for (const p of paths) {
      this.unreferenced.delete(p);
      let s = this.refs.get(p);
      if (!s) { s = new Set(); this.refs.set(p, s); }
      s.add(checkpointId);
    }
  }

  /**
   * A checkpoint left the store (subsumed by `latest`, or discarded): files nothing else references
   * are deleted once a checkpoint after `latest` completes (checkpointCompleted), or at flush().
   */
  unregister(checkpointId: number, paths: readonly string[], latest: number): void {
    for (const p of paths) {
      const s = this.refs.get(p);
      if (!s) continue;
      s.delete(checkpointId);
      if (s.size === 0) { this.refs.delete(p); this.unreferenced.set(p, latest); }
    }
  }

  /** Checkpoint `checkpointId` completed and registered its files: what earlier completions left unreferenced goes. */
  checkpointCompleted(checkpointId: number): Promise<void> {
    const gone: string[] = [];
    for (const [p, by] of this.unreferenced) if (by < checkpointId) { this.unreferenced.delete(p); gone.push(p); }
    return this.deleteAll(gone);
  }

  /** The job ended (or its store was discarded): every unreferenced file goes now. */
  flush(): Promise<void> {
    const gone = [...this.unreferenced.keys()];
    this.unreferenced.clear();
    return this.deleteAll(gone);
  }

  /**
   * State of checkpoint `checkpointId` that will never complete (aborted, late, declined): the
   * shared files it uploaded itself go, unless a completed checkpoint references them.
   */
  discardUnregistered(checkpointId: number, states: Iterable<OperatorSubtaskState>): Promise<void> {
    const gone: string[] = [];
    for (const st of states) for (const p of sharedParts(st)) if (p.uploadedBy === checkpointId && !this.isRegistered(p.path)) gone.push(p.path);
    return this.deleteAll(gone);
  }

  /** Shared files a checkpoint reuses from earlier ones that are no longer there (deleted meanwhile). */
  missingReused(checkpointId: number, states: Iterable<OperatorSubtaskState>): string[] {
    const out: string[] = [];
    for (const st of states) for (const p of sharedParts(st)) if (p.uploadedBy !== checkpointId && !this.isRegistered(p.path)) out.push(p.path);
    return out;
  }

  private async deleteAll(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((p) => this.deleteFile(p).catch(() => { /* best effort, like Flink's CheckpointsCleaner */ })));
  }
}

/** The subtask states of an acknowledgement. */
export function subtaskStates(s: TaskStateSnapshot): OperatorSubtaskState[] { return Object.values(s.operators); }

export function baseName(path: string): string { return path.slice(path.replace(/\/+$/, '').lastIndexOf('/') + 1); }
