// GET /jobmanager/config (Flink's ConfigurationInfo): the JobManager's configuration as key/value pairs.
import type { Configuration } from '../../configuration/index.js';

export type ConfigurationInfo = Array<{ key: string; value: string }>;

// Like Flink's GlobalConfiguration.isSensitive: values of such keys are never served.
const SENSITIVE = /password|secret|token|credential|(^|\.)key$|keytab|auth-params/i;

export function configurationInfo(conf: Configuration): ConfigurationInfo {
  return Object.entries(conf.toMap()).map(([key, value]) => ({ key, value: SENSITIVE.test(key) ? '******' : value }));
}
