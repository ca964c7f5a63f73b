// TaskManager options (Flink TaskManagerOptions). A slot is one worker_thread.
import { availableParallelism } from 'node:os';
import { durationOption, intOption, memoryOption, numberOption, stringOption } from './ConfigOption.js';

export const NUM_TASK_SLOTS = intOption('taskmanager.numberOfTaskSlots', {
  // Unlike Flink (default 1), the embedded cluster of `tsflink run` uses one slot per core.
  defaultValue: availableParallelism(),
  min: 1,
  description: 'Slots (worker threads) per TaskManager. Default: the number of CPU cores of the machine running the TaskManager (os.availableParallelism()).',
});

export const HOST = stringOption('taskmanager.host', {
  description: 'Address the TaskManager advertises to the JobManager and other TaskManagers; unset = the local address of its connection to the JobManager.',
});

export const BIND_HOST = stringOption('taskmanager.bind-host', {
  description: "Local address the TaskManager data plane binds to; unset = the advertised address (taskmanager.host). '0.0.0.0' = all interfaces. An address that cannot serve taskmanager.host is rejected at start-up.",
});

export const RPC_PORT = stringOption('taskmanager.rpc.port', {
  defaultValue: '0',
  description: "TaskManager control-plane port or range ('0' = any free port, '50100-50200' = a range).",
});

export const DATA_PORT = intOption('taskmanager.data.port', {
  defaultValue: 0,
  min: 0,
  max: 65535,
  description: 'TaskManager data-plane (shuffle) port; 0 = any free port.',
});

export const RESOURCE_ID = stringOption('taskmanager.resource-id', {
  description: 'Id of the TaskManager (on YARN the container id); unset = host:port-<random>.',
});

export const TOTAL_PROCESS_MEMORY = memoryOption('taskmanager.memory.process.size', {
  defaultValue: 1728 * 1024 * 1024,
  min: 1,
  description: 'Total memory of a TaskManager process (the YARN container size).',
});

export const TASK_HEAP_MEMORY = memoryOption('taskmanager.memory.task.heap.size', {
  min: 1,
  description: 'V8 heap limit of each slot worker (resourceLimits.maxOldGenerationSizeMb); unset = derived from the process size divided among the slots.',
});

export const MANAGED_MEMORY_SIZE = memoryOption('taskmanager.memory.managed.size', {
  min: 0,
  description: 'Memory for sorting/spilling in BATCH mode and LevelDB caches; unset = managed.fraction of the process size.',
});

export const MANAGED_MEMORY_FRACTION = numberOption('taskmanager.memory.managed.fraction', {
  defaultValue: 0.4,
  min: 0,
  max: 1,
  description: 'Fraction of the process memory used as managed memory when managed.size is unset.',
});

export const MEMORY_SEGMENT_SIZE = memoryOption('taskmanager.memory.segment-size', {
  defaultValue: 32 * 1024,
  min: 4096,
  description: 'Size of a network buffer.',
});

export const SLOT_TIMEOUT = durationOption('taskmanager.slot.timeout', {
  defaultValue: 10_000,
  min: 0,
  description: 'Time after which an idle slot allocated to a job is freed.',
});

export const BATCH_SHUFFLE_READ_MEMORY = memoryOption('taskmanager.memory.framework.off-heap.batch-shuffle.size', {
  defaultValue: 64 * 1024 * 1024,
  min: 64 * 1024, // one read chunk
  description: 'BATCH blocking shuffle: shuffle-file bytes all partition readers of a TaskManager (every slot) hold at once; a reader waits for budget before it reads its next chunk (64 KiB). At least one chunk.',
});
