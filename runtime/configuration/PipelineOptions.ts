// Pipeline options (Flink PipelineOptions): properties of the job graph itself.
import { booleanOption, durationOption, intOption, listOption, stringOption } from './ConfigOption.js';

export const MAX_PARALLELISM = intOption('pipeline.max-parallelism', {
  defaultValue: 128,
  min: 1,
  max: 32768,
  description: 'Default number of key groups (upper bound for rescaling keyed state). tsflink uses a fixed default of 128.',
});

export const AUTO_WATERMARK_INTERVAL = durationOption('pipeline.auto-watermark-interval', {
  defaultValue: 200,
  min: 0,
  description: 'Interval of periodic watermark emission (WatermarkGenerator.onPeriodicEmit); 0 disables periodic watermarks.',
});

export const NAME = stringOption('pipeline.name', {
  description: 'Job name used when execute() is called without one.',
});

export const OPERATOR_CHAINING = booleanOption('pipeline.operator-chaining.enabled', {
  defaultValue: true,
  fallbackKeys: ['pipeline.operator-chaining'],
  description: 'Whether forward-connected operators with equal parallelism are chained into one task.',
});

export const OBJECT_REUSE = booleanOption('pipeline.object-reuse', {
  defaultValue: true,
  description: 'Whether a task gets the records of another task in the same thread as references (true, the default here; Flink defaults to false) ' +
    'or as copies (false: serialized as between threads). Operators of one chain always share references. See docs/performance.md.',
});

export const EXTERNAL_PACKAGES = listOption('pipeline.external-packages', {
  defaultValue: [],
  description: "npm packages kept out of the job bundle (separated by ';'): imported from the path they are installed at on the client, " +
    'so they must exist at that path on every JobManager and TaskManager. Packages are otherwise inlined into the bundle; native addons always stay out.',
});
