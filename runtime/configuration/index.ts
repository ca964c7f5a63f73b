// Configuration: Flink 2.x keys, config.yaml loading, typed options grouped like Flink's classes.
export {
  type ConfigOption,
  type ConfigOptionType,
  registerOption,
  registerKnownPrefix,
  findOption,
  registeredOptions,
  describeAllowed,
  intOption,
  numberOption,
  booleanOption,
  stringOption,
  durationOption,
  memoryOption,
  enumOption,
  listOption,
} from './ConfigOption.js';
export {
  Configuration,
  ConfigurationError,
  type ConfigurationOptions,
  SOURCE_CODE,
  SOURCE_DYNAMIC,
  describeSource,
  flattenConfig,
  editDistance,
  suggestKey,
} from './Configuration.js';
export type { ReadableConfig } from './ReadableConfig.js';
export {
  loadConfiguration,
  resolveConfDir,
  parseConfigYaml,
  parseDynamicProperties,
  configurationToYaml,
  CONFIG_FILE_NAME,
  type LoadConfigurationOptions,
} from './loadConfiguration.js';
export { parseDuration, parseMemorySize, formatDuration, formatMemorySize } from './units.js';
export { packageRoot } from './packageRoot.js';

export * as CoreOptions from './CoreOptions.js';
export * as PipelineOptions from './PipelineOptions.js';
export * as ExecutionOptions from './ExecutionOptions.js';
export * as CheckpointingOptions from './CheckpointingOptions.js';
export * as StateRecoveryOptions from './StateRecoveryOptions.js';
export * as StateBackendOptions from './StateBackendOptions.js';
export * as RestartStrategyOptions from './RestartStrategyOptions.js';
export * as TaskManagerOptions from './TaskManagerOptions.js';
export * as NettyShuffleOptions from './NettyShuffleOptions.js';
export * as JobManagerOptions from './JobManagerOptions.js';
export * as ResourceManagerOptions from './ResourceManagerOptions.js';
export * as RestOptions from './RestOptions.js';
export * as HeartbeatManagerOptions from './HeartbeatManagerOptions.js';
export * as SecurityOptions from './SecurityOptions.js';
export * as FileSystemOptions from './FileSystemOptions.js';
export * as YarnConfigOptions from './YarnConfigOptions.js';
export * as MetricOptions from './MetricOptions.js';
export * as SchedulerOptions from './SchedulerOptions.js';
export * as HighAvailabilityOptions from './HighAvailabilityOptions.js';
