// JobManager high availability (Flink's HighAvailabilityOptions). tsflink keeps what must survive a
// JobManager — submitted jobs, finished-job results — in a file system (HDFS on YARN); the state
// itself comes from the jobs' checkpoints. ZooKeeper/Kubernetes leader election is not needed for
// the supported set-ups: one JobManager at a time (a YARN attempt, or a restarted standalone one).
import { enumOption, stringOption } from './ConfigOption.js';

export const HA_TYPE = enumOption('high-availability.type', {
  values: ['NONE', 'FILESYSTEM'] as const,
  defaultValue: 'NONE',
  fallbackKeys: ['high-availability', 'high-availability.mode'],
  description: "FILESYSTEM: jobs survive a JobManager restart (their graphs and results under high-availability.storageDir, their state from their latest checkpoint). On YARN with yarn.application-attempts > 1 it defaults to FILESYSTEM under the application's staging directory.",
});

export const HA_STORAGE_DIR = stringOption('high-availability.storageDir', {
  fallbackKeys: ['high-availability.storage-dir'],
  description: 'File system path (URI) where the JobManager keeps metadata that must survive it (job graphs and bundles, job results); the schedules service keeps its history under <dir>/schedules.',
});

export const HA_CLUSTER_ID = stringOption('high-availability.cluster-id', {
  defaultValue: '/default',
  description: "Names this cluster's part of high-availability.storageDir; a JobManager started with the same storage dir and cluster id recovers the jobs. On YARN: the application id.",
});
