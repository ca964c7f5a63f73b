// Task IO metrics of a subtask or a vertex (Flink's IOMetricsInfo).
import type { JobMaster } from '../../jobmanager/jobmaster/JobMaster.js';
import type { Execution } from '../../graph/executiongraph/ExecutionGraph.js';

export interface IOMetricsInfo {
  'read-bytes': number; 'read-bytes-complete': boolean;
  'write-bytes': number; 'write-bytes-complete': boolean;
  'read-records': number; 'read-records-complete': boolean;
  'write-records': number; 'write-records-complete': boolean;
  'accumulated-backpressured-time': number; 'accumulated-idle-time': number; 'accumulated-busy-time': number;
}

/**
 * Counters of one execution attempt: what its TaskManager last reported (heartbeats while it runs,
 * exact totals with its terminal state). Complete once the attempt ended and its final counters
 * arrived, or it ended without ever being deployed (nothing to count). read-* is what arrived
 * from upstream vertices over the network, write-* what was sent to downstream vertices.
 */
export function executionIOMetrics(master: JobMaster, ex: Execution): IOMetricsInfo {
  const m = master.taskIOMetrics(ex.attemptId);
  const complete = ex.isTerminal && (m?.final === true || (m === undefined && ex.stateTimestamps.DEPLOYING === undefined));
  const io = m?.io;
  return {
    'read-bytes': io?.numBytesIn ?? 0, 'read-bytes-complete': complete,
    'write-bytes': io?.numBytesOut ?? 0, 'write-bytes-complete': complete,
    'read-records': io?.numRecordsIn ?? 0, 'read-records-complete': complete,
    'write-records': io?.numRecordsOut ?? 0, 'write-records-complete': complete,
    // Milliseconds since the attempt turned RUNNING (they add up to its running time so far).
    'accumulated-backpressured-time': io?.accumulatedBackPressuredTime ?? 0,
    'accumulated-idle-time': io?.accumulatedIdleTime ?? 0,
    'accumulated-busy-time': io?.accumulatedBusyTime ?? 0,
  };
}

/**
 * A vertex's metrics over its subtasks' current attempts; complete when every subtask's are.
 * Counters (records, bytes) are sums. The accumulated times are each the maximum over the subtasks:
 * a sum would grow with the parallelism and exceed the vertex's wall-clock time, while the maximum
 * stays a duration of one subtask (the slowest, most idle or most back-pressured one), comparable
 * with the vertex's `duration` — as the web UI's "(max)" busy/back-pressure figures.
 */
export function vertexIOMetrics(all: IOMetricsInfo[]): IOMetricsInfo {
  const s: IOMetricsInfo = {
    'read-bytes': 0, 'read-bytes-complete': true, 'write-bytes': 0, 'write-bytes-complete': true,
    'read-records': 0, 'read-records-complete': true, 'write-records': 0, 'write-records-complete': true,
    'accumulated-backpressured-time': 0, 'accumulated-idle-time': 0, 'accumulated-busy-time': 0,
  };
  for (const m of all) {
    s['read-bytes'] += m['read-bytes']; s['read-bytes-complete'] &&= m['read-bytes-complete'];
    s['write-bytes'] += m['write-bytes']; s['write-bytes-complete'] &&= m['write-bytes-complete'];
    s['read-records'] += m['read-records']; s['read-records-complete'] &&= m['read-records-complete'];
    s['write-records'] += m['write-records']; s['write-records-complete'] &&= m['write-records-complete'];
    s['accumulated-backpressured-time'] = Math.max(s['accumulated-backpressured-time'], m['accumulated-backpressured-time']);
    s['accumulated-idle-time'] = Math.max(s['accumulated-idle-time'], m['accumulated-idle-time']);
    s['accumulated-busy-time'] = Math.max(s['accumulated-busy-time'], m['accumulated-busy-time']);
  }
  return s;
}
