// The JSON the dashboard reads: Flink's REST shapes as tsflink serves them (runtime/rest/messages).
export interface DashboardConfig {
  'refresh-interval': number;
  'timezone-name': string;
  'flink-version': string;
  'flink-revision': string;
  features: { 'web-submit': boolean; 'web-cancel': boolean };
}
export interface ClusterOverview {
  taskmanagers: number; 'slots-total': number; 'slots-available': number;
  'jobs-running': number; 'jobs-finished': number; 'jobs-cancelled': number; 'jobs-failed': number;
  'flink-version': string; 'flink-commit': string;
}
export type TaskCounts = Record<string, number>;
export interface JobSummary {
  jid: string; name: string; state: string; 'start-time': number; 'end-time': number; duration: number;
  'last-modification': number; tasks: TaskCounts;
}
export interface PlanNode {
  id: string; parallelism: number; operator: string; description: string;
  inputs?: Array<{ num: number; id: string; ship_strategy: string; exchange: string }>;
}
export interface VertexMetrics {
  'read-bytes': number; 'write-bytes': number; 'read-records': number; 'write-records': number;
  'accumulated-backpressured-time'?: number; 'accumulated-idle-time'?: number; 'accumulated-busy-time'?: number;
}
export interface JobVertex {
  id: string; name: string; parallelism: number; maxParallelism: number; status: string;
  'start-time': number; 'end-time': number; duration: number; tasks: TaskCounts; metrics: VertexMetrics;
}
export interface JobDetails {
  jid: string; name: string; isStoppable: boolean; state: string; 'job-type': string;
  'start-time': number; 'end-time': number; duration: number; now: number;
  timestamps: Record<string, number>; vertices: JobVertex[]; 'status-counts': TaskCounts;
  plan: { jid: string; name: string; nodes: PlanNode[] };
}
export interface Subtask {
  subtask: number; status: string; attempt: number; endpoint: string | null; host: string | null;
  'start-time': number; 'end-time': number; duration: number; metrics: VertexMetrics; 'taskmanager-id': string | null;
}
export interface VertexDetails { id: string; name: string; parallelism: number; maxParallelism: number; now: number; subtasks: Subtask[] }
export interface MetricValue { id: string; value?: string }
export interface AggregatedMetric { id: string; min?: number; max?: number; avg?: number; sum?: number }
export interface BackPressure {
  status: 'ok' | 'deprecated'; backpressureLevel?: 'ok' | 'low' | 'high'; 'end-timestamp'?: number;
  subtasks?: Array<{ subtask: number; 'attempt-number': number; backpressureLevel: string; ratio: number; idleRatio: number; busyRatio: number }>;
}
export interface ExceptionInfo {
  exceptionName: string; stacktrace: string; timestamp: number; taskName: string | null;
  location: string | null; endpoint: string | null; taskManagerId: string | null; failureLabels: Record<string, string>;
}
export interface JobExceptions {
  'root-exception': string | null; timestamp: number | null; truncated: boolean;
  exceptionHistory: { entries: Array<ExceptionInfo & { concurrentExceptions: ExceptionInfo[] }>; truncated: boolean };
}
export interface Summary { min: number; max: number; avg: number; p50?: number; p90?: number; p95?: number; p99?: number; p999?: number }
export interface CheckpointEntry {
  id: number; status: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS'; is_savepoint: boolean; trigger_timestamp: number;
  latest_ack_timestamp: number; checkpointed_size: number; state_size: number; end_to_end_duration: number;
  processed_data: number; persisted_data: number; num_subtasks: number; num_acknowledged_subtasks: number;
  checkpoint_type: string; external_path?: string | null; failure_message?: string | null;
  tasks: Record<string, { id: number; status: string; num_subtasks: number; num_acknowledged_subtasks: number; state_size: number; checkpointed_size: number; end_to_end_duration: number }>;
}
export interface CheckpointStats {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary: { checkpointed_size: Summary; state_size: Summary; end_to_end_duration: Summary; processed_data: Summary; persisted_data: Summary };
  latest: {
    completed: CheckpointEntry | null; savepoint: CheckpointEntry | null; failed: CheckpointEntry | null;
    restored: { id: number; restore_timestamp: number; is_savepoint: boolean; external_path: string | null } | null;
  };
  history: CheckpointEntry[];
}
export interface SubtaskCheckpoint {
  index: number; status: string; ack_timestamp?: number; end_to_end_duration?: number; checkpointed_size?: number;
  checkpoint?: { sync: number; async: number }; alignment?: { duration: number; processed: number; persisted: number };
  start_delay?: number; unaligned_checkpoint?: boolean;
}
export interface TaskManager {
  /** Despite Flink's name, the time of the last heartbeat (epoch ms). */
  id: string; path: string; dataPort: number; timeSinceLastHeartbeat: number; slotsNumber: number; freeSlots: number;
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  logUrl?: string;
  /** tsflink: where the TaskManager's metric reporters serve (Prometheus: http://host:port/metrics). */
  metricReporters?: MetricReporter[];
}
export interface MetricReporter { name: string; host: string; port: number }
export interface LogList { logs: Array<{ name: string; size: number; mtime?: number }> }
export interface ThreadDump { threadInfos: Array<{ threadName: string; stringifiedThreadInfo: string }> }
export interface SubtaskTimes { id: string; name: string; now: number; subtasks: Array<{ subtask: number; host: string | null; duration: number; timestamps: Record<string, number> }> }
export interface JobConfig { jid: string; name: string; 'execution-config': { 'execution-mode': string; 'restart-strategy': string; 'job-parallelism': number; 'object-reuse-mode': boolean; 'user-config': Record<string, string> } }
export interface JarList { files: Array<{ id: string; name: string; uploaded: number }> }
export interface ScheduleStatus {
  name: string; cron: string; timezone: string; job: string; paused: boolean; concurrencyPolicy: string; catchup: string;
  nextFireTime: string | null; activeRuns: number; missedIntervals: number;
  lastRun: { runId: string; state: string; intervalStart: string } | null; lastSuccessTime: string | null; runs: Record<string, number>;
}
export interface ScheduleRunSummary { runId: string; intervalStart: string; intervalEnd: string; state: string; attempt: number; jobId: string | null }
