// JobManager options (Flink JobManagerOptions).
import { durationOption, enumOption, intOption, memoryOption, stringOption } from './ConfigOption.js';

export const ADDRESS = stringOption('jobmanager.rpc.address', {
  defaultValue: 'localhost',
  description: 'Address of the JobManager control-plane RPC endpoint.',
});

export const PORT = intOption('jobmanager.rpc.port', {
  defaultValue: 6123,
  min: 0,
  max: 65535,
  description: 'Port of the JobManager control-plane RPC endpoint (0 = any free port).',
});

export const BIND_HOST = stringOption('jobmanager.bind-host', {
  description: "Local address the JobManager RPC server binds to; unset = the advertised address (jobmanager.rpc.address; 'localhost' = 127.0.0.1). '0.0.0.0' = all interfaces (connections are authenticated with the cluster secret). An address that cannot serve jobmanager.rpc.address is rejected at start-up.",
});

export const TOTAL_PROCESS_MEMORY = memoryOption('jobmanager.memory.process.size', {
  defaultValue: 1600 * 1024 * 1024,
  min: 1,
  description: 'Total memory of the JobManager process (the YARN ApplicationMaster container size).',
});

export const EXECUTION_FAILOVER_STRATEGY = enumOption('jobmanager.execution.failover-strategy', {
  values: ['region', 'full'] as const,
  defaultValue: 'region',
  description: 'region restarts only the pipelined region of the failed task; full restarts every task.',
});

export const SLOT_REQUEST_TIMEOUT = durationOption('slot.request.timeout', {
  defaultValue: 5 * 60_000,
  min: 1,
  description: 'A slot request not fulfilled within this time fails the job (NoResourceAvailableException).',
});

export const SLOT_IDLE_TIMEOUT = durationOption('slot.idle.timeout', {
  defaultValue: 50_000,
  min: 0,
  description: 'Time after which a slot the JobMaster does not use is returned to the ResourceManager.',
});

export const JOB_STORE_EXPIRATION_TIME = durationOption('jobstore.expiration-time', {
  defaultValue: 3600_000,
  min: 1,
  description: "How long a finished job's summary, result and exceptions are kept (REST, list) before they are dropped.",
});

export const JOB_STORE_MAX_CAPACITY = intOption('jobstore.max-capacity', {
  defaultValue: 2147483647,
  min: 0,
  description: 'How many finished jobs are kept at most; the oldest are dropped first.',
});
