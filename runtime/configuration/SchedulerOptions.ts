// Options of the schedules service in the session cluster's JobManager (scheduled batch ETL,
// docs/scheduling.md). Named `scheduler.*` as in the issue; unrelated to the JobMaster's task scheduler.
import { booleanOption, durationOption, intOption, registerKnownPrefix, stringOption } from './ConfigOption.js';

export const ENABLED = booleanOption('scheduler.enabled', {
  defaultValue: true,
  description: 'Run the schedules service (cron-scheduled BATCH jobs) in the session cluster JobManager.',
});

export const STORAGE_DIR = stringOption('scheduler.storage-dir', {
  description: "Where schedules and their run history are kept (file:// path or hdfs:// URI). Unset = 'high-availability.storageDir'/schedules if set, else on YARN the session's HDFS staging dir (.tsflink/<appId>/ha/schedules with yarn.application-attempts > 1, the default; .tsflink/<appId>/schedules otherwise), else <work dir>/jobmanager/schedules.",
});

export const SCHEDULES_DIR = stringOption('scheduler.schedules-dir', {
  description: 'A directory of schedule files (*.yaml, *.yml) declared at JobManager start-up; relative job paths resolve against the file.',
});

// 'scheduler.schedules': a list of schedules inline in config.yaml (docs/scheduling.md). A list of
// mappings is no typed option, so the key is declared known and read raw by the schedules service.
registerKnownPrefix('scheduler.schedule');

export const TICK_INTERVAL = durationOption('scheduler.tick-interval', {
  defaultValue: 500,
  min: 10,
  description: 'How often the schedules service re-evaluates due runs, job states, waits and timeouts.',
});

export const WAIT_POLL_INTERVAL = durationOption('scheduler.wait-poll-interval', {
  defaultValue: 10_000,
  min: 10,
  description: "Default interval at which a WAITING run checks its 'waitFor' paths (per schedule: waitPollInterval).",
});

export const MAX_CATCHUP_RUNS = intOption('scheduler.max-catchup-runs', {
  defaultValue: 100,
  min: 1,
  description: "Guard for 'catchup: all': at most this many missed intervals are materialized at once (the most recent); older ones are counted as missed (use 'tsflink schedule backfill').",
});

export const MAX_BACKFILL_RUNS = intOption('scheduler.max-backfill-runs', {
  defaultValue: 1000,
  min: 1,
  description: 'A backfill that would create more runs than this is refused.',
});

export const HISTORY_SUCCESSFUL_LIMIT = intOption('scheduler.history.successful-limit', {
  defaultValue: 100,
  min: 0,
  description: 'Finished successful runs kept per schedule (per schedule: history.successful).',
});

export const HISTORY_FAILED_LIMIT = intOption('scheduler.history.failed-limit', {
  defaultValue: 100,
  min: 0,
  description: 'Finished unsuccessful runs (FAILED, SKIPPED, TIMED_OUT) kept per schedule (per schedule: history.failed).',
});

/** Declared with the other high-availability keys. */
export { HA_STORAGE_DIR } from './HighAvailabilityOptions.js';
