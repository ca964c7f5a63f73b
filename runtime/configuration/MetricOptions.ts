// Metric options (Flink MetricOptions). Reporter settings are free-form keys
// metrics.reporter.<name>.* (docs/metrics.md), read by the reporter set-up.
import { durationOption, listOption, stringOption } from './ConfigOption.js';

export const METRIC_FETCHER_UPDATE_INTERVAL = durationOption('metrics.fetcher.update-interval', {
  defaultValue: 10_000,
  min: 0,
  description: 'How often the JobManager fetches the TaskManagers\' metrics for REST and the web UI (they are at most this old); 0 = on every request.',
});

export const REPORTERS_LIST = listOption('metrics.reporters', {
  description: 'Names of the reporters to start (metrics.reporter.<name>.*); unset = every configured reporter.',
});

export const LOG_DIR = stringOption('env.log.dir', {
  description: "Directory of the process's log files served over REST (/jobmanager/logs, /taskmanagers/:id/logs); unset = $TSFLINK_LOG_DIR or YARN's container log dir ($LOG_DIRS); tsflink cluster start gives each process its log file.",
});
