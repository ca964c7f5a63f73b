// Heartbeat options (Flink HeartbeatManagerOptions): JobManager <-> TaskManager liveness.
import { durationOption } from './ConfigOption.js';

export const HEARTBEAT_INTERVAL = durationOption('heartbeat.interval', {
  defaultValue: 10_000,
  min: 1,
  description: 'Interval of heartbeat requests.',
});

export const HEARTBEAT_TIMEOUT = durationOption('heartbeat.timeout', {
  defaultValue: 50_000,
  min: 1,
  description: 'A peer without heartbeat for this long is considered lost (its tasks fail over).',
});
