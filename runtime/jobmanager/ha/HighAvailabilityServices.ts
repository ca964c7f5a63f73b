// What a JobManager keeps so that its jobs survive it (Flink's HighAvailabilityServices, file
// system based): the submitted jobs (JobGraphStore) and the results of ended ones (JobResultStore)
// under <high-availability.storageDir>/<high-availability.cluster-id>/. The jobs' state comes from
// their checkpoints; a new JobManager with the same storage dir and cluster id recovers them.
import { type ReadableConfig, HighAvailabilityOptions } from '../../configuration/index.js';
import { FileSystemJobGraphStore } from './JobGraphStore.js';
import { FileSystemJobResultStore } from './JobResultStore.js';

export class HighAvailabilityServices {
  readonly jobGraphStore: FileSystemJobGraphStore;
  readonly jobResultStore: FileSystemJobResultStore;

  constructor(readonly root: string) {
    this.jobGraphStore = new FileSystemJobGraphStore(`${root}/jobgraphs`);
    this.jobResultStore = new FileSystemJobResultStore(`${root}/job-results`);
  }

  /** Undefined when high availability is off (high-availability.type: NONE). */
  static fromConfiguration(conf: ReadableConfig): HighAvailabilityServices | undefined {
    if (conf.get(HighAvailabilityOptions.HA_TYPE) === 'NONE') return undefined;
    const dir = conf.getOptional(HighAvailabilityOptions.HA_STORAGE_DIR);
    if (dir === undefined || dir.trim() === '') {
      throw new Error("high-availability.type is FILESYSTEM but high-availability.storageDir is not set: set it to a directory that outlives the JobManager (hdfs://… on a cluster), or set high-availability.type: NONE.");
    }
    const id = conf.get(HighAvailabilityOptions.HA_CLUSTER_ID).replace(/^\/+|\/+$/g, '');
    if (id === '' || id.split('/').some((p) => p === '..')) throw new Error(`Invalid high-availability.cluster-id '${conf.get(HighAvailabilityOptions.HA_CLUSTER_ID)}': a name (or path) inside high-availability.storageDir.`);
    return new HighAvailabilityServices(`${dir.replace(/\/+$/, '')}/${id}`);
  }
}
