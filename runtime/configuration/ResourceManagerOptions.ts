// ResourceManager options (Flink ResourceManagerOptions).
import { durationOption } from './ConfigOption.js';

export const TASK_MANAGER_TIMEOUT = durationOption('resourcemanager.taskmanager-timeout', {
  defaultValue: 30_000,
  min: 0,
  fallbackKeys: ['slotmanager.taskmanager-timeout'],
  description: 'Idle TaskManagers (no allocated slots) are released after this time (YARN containers are returned).',
});
