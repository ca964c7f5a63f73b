// Starts the schedules service inside a session cluster's JobManager (standalone `tsflink
// jobmanager`, the YARN session's ApplicationMaster): history store, Dispatcher launcher, the
// schedule files of scheduler.schedules-dir, and the tick loop.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import { type Configuration, HighAvailabilityOptions, JobManagerOptions, SchedulerOptions, flattenConfig, parseConfigYaml } from '../configuration/index.js';
import { getFileSystem } from '../../hdfs/index.js';
import { EtlScheduler, type JobBundlerFn } from './EtlScheduler.js';
import { RunHistoryStore } from './RunHistoryStore.js';
import { DispatcherRunLauncher } from './DispatcherRunLauncher.js';
import { parseScheduleYaml, validateScheduleSpec, ScheduleSpecError, type ScheduleSpec } from './ScheduleSpec.js';
import { registerScheduleMetrics } from './ScheduleMetrics.js';
import type { MetricRegistry } from '../metrics/index.js';

export interface SchedulesServiceOptions {
  dispatcher: Dispatcher;
  configuration: Configuration;
  /** The JobManager's working directory (default history location, local bundle copies). */
  workDir: string;
  /** Bundles job files named by schedules-dir files (the entry point hands in the client's bundler). */
  bundler?: JobBundlerFn;
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string) => void;
  /** Where history goes when neither scheduler.storage-dir nor high-availability.storageDir is set (YARN: the HDFS staging dir). */
  defaultStorageDir?: string;
  /** The JobManager's metric registry: schedule metrics go to its reporters too. */
  metricRegistry?: MetricRegistry;
}

/** Where history lives: scheduler.storage-dir, else <high-availability.storageDir>/schedules, else the default, else <work dir>/schedules. */
export function schedulesStorageDir(conf: Configuration, workDir: string, defaultDir?: string): string {
  const explicit = conf.getOptional(SchedulerOptions.STORAGE_DIR);
  if (explicit) return explicit;
  const ha = conf.getOptional(HighAvailabilityOptions.HA_STORAGE_DIR);
  return ha ? `${ha.replace(/\/+$/, '')}/schedules` : defaultDir ?? join(workDir, 'schedules');
}

/** The running service, or null with scheduler.enabled=false. */
export async function startSchedulesService(opts: SchedulesServiceOptions): Promise<EtlScheduler | null> {
  const conf = opts.configuration;
  if (!conf.get(SchedulerOptions.ENABLED)) return null;
  const fsConf = conf.toMap();
  const store = new RunHistoryStore(schedulesStorageDir(conf, opts.workDir, opts.defaultStorageDir), fsConf);
  const scheduler = new EtlScheduler({
    store,
    launcher: new DispatcherRunLauncher(opts.dispatcher, conf, join(opts.workDir, 'schedule-bundles')),
    probe: { exists: (path) => getFileSystem(path, fsConf).exists(path) },
    ...(opts.bundler ? { bundler: opts.bundler } : {}),
    tickInterval: conf.get(SchedulerOptions.TICK_INTERVAL),
    waitPollInterval: conf.get(SchedulerOptions.WAIT_POLL_INTERVAL),
    maxCatchupRuns: conf.get(SchedulerOptions.MAX_CATCHUP_RUNS),
    maxBackfillRuns: conf.get(SchedulerOptions.MAX_BACKFILL_RUNS),
    historySuccessfulLimit: conf.get(SchedulerOptions.HISTORY_SUCCESSFUL_LIMIT),
    historyFailedLimit: conf.get(SchedulerOptions.HISTORY_FAILED_LIMIT),
    log: opts.log,
  });
  await scheduler.load();
  for (const declared of inlineSchedules(conf)) {
    try {
      await scheduler.upsert(declared());
    } catch (e) {
      opts.log('ERROR', `Inline schedule not declared: ${(e as Error).message}`);
    }
  }
  const dir = conf.getOptional(SchedulerOptions.SCHEDULES_DIR);
  if (dir) {
    let files: string[];
    try { files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort(); } catch (e) {
      throw new Error(`scheduler.schedules-dir=${dir} cannot be read: ${(e as Error).message}`);
    }
    for (const f of files) {
      const path = join(dir, f);
      try {
        await scheduler.upsert(parseScheduleYaml(readFileSync(path, 'utf8'), path));
      } catch (e) {
        opts.log('ERROR', `Schedule file ${path} not declared: ${(e as Error).message}`);
      }
    }
  }
  opts.log('INFO', `Schedules service started: ${scheduler.schedules().length} schedule(s), history in ${store.location}`);
  if (opts.metricRegistry) registerScheduleMetrics(scheduler, opts.metricRegistry, conf.get(JobManagerOptions.ADDRESS));
  await scheduler.start();
  return scheduler;
}

export type { ScheduleStatus } from './EtlScheduler.js';
export type { RunSummary } from './ScheduleRun.js';

/**
 * Schedules inline in config.yaml under `scheduler.schedules` (a list of schedule mappings, or its
 * JSON as a -D value). Each is validated lazily, so one bad entry does not hide the others; a
 * relative `job` resolves against the config file's directory.
 */
export function inlineSchedules(conf: Configuration): Array<() => ScheduleSpec> {
  const raw = conf.getString('scheduler.schedules');
  if (raw === undefined) return [];
  const source = conf.getSource('scheduler.schedules') ?? 'scheduler.schedules';
  let list: unknown;
  if (isAbsolute(source)) {
    // The configuration keeps unknown keys as strings: the list of mappings is read from its file again.
    list = flattenConfig(parseConfigYaml(readFileSync(source, 'utf8'), source)).find(([k]) => k === 'scheduler.schedules')?.[1];
  } else {
    try { list = JSON.parse(raw); } catch { list = undefined; }
  }
  if (!Array.isArray(list)) {
    throw new ScheduleSpecError(`${source}: 'scheduler.schedules' must be a list of schedules (each a mapping with name, job, cron, …; docs/scheduling.md), got ${raw.slice(0, 80)}.`);
  }
  const baseDir = isAbsolute(source) ? dirname(source) : undefined;
  return list.map((entry, i) => () => validateScheduleSpec(entry, `${source}: scheduler.schedules[${i}]`, baseDir));
}
