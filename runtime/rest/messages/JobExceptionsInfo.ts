// GET /jobs/:jobid/exceptions (Flink's JobExceptionsInfoWithHistory).
import type { SlotManager } from '../../jobmanager/resourcemanager/SlotManager.js';
import type { Execution } from '../../graph/executiongraph/ExecutionGraph.js';
import type { SerializedThrowable } from '../../taskmanager/TaskDeploymentDescriptor.js';
import type { JobView } from './common.js';

export interface ExceptionInfo {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  /** "<vertex name> (i/n)"; null for a global failure. */
  taskName: string | null;
  /** Flink: "host:port" of the TaskManager the task ran on. */
  location: string | null;
  endpoint: string | null;
  taskManagerId: string | null;
  failureLabels: Record<string, string>;
  /** tsflink: the operator (inside the chain) and subtask that threw, e.g. "Tokenizer (2/4)". */
  operatorLocation: string | null;
}
export interface RootExceptionInfo extends ExceptionInfo { concurrentExceptions: ExceptionInfo[] }

export interface JobExceptionsInfoWithHistory {
  /** Deprecated in Flink but still served: the root cause's stack trace. */
  'root-exception': string | null;
  timestamp: number | null;
  'all-exceptions': never[];
  truncated: boolean;
  exceptionHistory: { entries: RootExceptionInfo[]; truncated: boolean };
}

/** The name of an exception from its stack trace's first line ("TypeError: boom" → TypeError). */
export function exceptionNameOf(stack: string): string {
  const m = /^([\w$.]+)(?::|$)/.exec(stack.split('\n', 1)[0] ?? '');
  return m?.[1] ?? 'Error';
}

function stackOf(e: SerializedThrowable): string {
  return e.stack ?? `${e.name}: ${e.message}`;
}

/** Finds the failed attempt a history entry came from (for its TaskManager). */
function failedExecution(v: JobView, taskName: string, timestamp: number): Execution | undefined {
  let best: Execution | undefined;
  let bestDelta = Infinity;
  for (const ev of v.master.executionGraph.allExecutionVertices()) {
    if (ev.taskNameWithSubtaskIndex !== taskName) continue;
    for (const ex of [...ev.priorExecutions, ev.currentExecution]) {
      const t = ex.stateTimestamps.FAILED;
      if (t === undefined) continue;
      const d = Math.abs(t - timestamp);
      if (d < bestDelta) { best = ex; bestDelta = d; }
    }
  }
  return best;
}

export function jobExceptionsInfo(v: JobView, slots: SlotManager, maxExceptions = 20): JobExceptionsInfoWithHistory {
  const eg = v.master.executionGraph;
  const entries: RootExceptionInfo[] = [];
  // Flink lists the latest failure first.
  for (const h of [...eg.exceptionHistory].reverse()) {
    const ex = h.taskName !== undefined ? failedExecution(v, h.taskName, h.timestamp) : undefined;
    const tmId = ex?.slot?.taskManagerId ?? null;
    const reg = tmId ? slots.getRegistration(tmId) : undefined;
    const host = ex?.slot?.host ?? reg?.info.host;
    const port = ex?.slot?.dataPort ?? reg?.info.dataPort;
    const endpoint = host !== undefined ? `${host}:${port ?? 0}` : null;
    entries.push({
      exceptionName: exceptionNameOf(h.exception),
      stacktrace: h.exception,
      timestamp: h.timestamp,
      taskName: h.taskName ?? null,
      location: endpoint,
      endpoint,
      taskManagerId: tmId,
      failureLabels: {},
      operatorLocation: h.location ?? null,
      concurrentExceptions: [],
    });
  }
  // A failure outside tasks (e.g. a source coordinator, no slots) is not in the task history: add it as a global entry.
  const final = v.result?.error;
  if (final && !entries.some((e) => e.stacktrace === stackOf(final))) {
    entries.unshift({
      exceptionName: final.name,
      stacktrace: stackOf(final),
      timestamp: v.result?.endTime ?? Date.now(),
      taskName: null, location: null, endpoint: null, taskManagerId: null, failureLabels: {},
      operatorLocation: final.location ?? null,
      concurrentExceptions: [],
    });
  }
  const root = final ? stackOf(final) : entries[0]?.stacktrace ?? null;
  const limited = entries.slice(0, Math.max(0, maxExceptions));
  const truncated = limited.length < entries.length;
  return {
    'root-exception': root,
    timestamp: final ? (v.result?.endTime ?? null) : entries[0]?.timestamp ?? null,
    'all-exceptions': [],
    truncated,
    exceptionHistory: { entries: limited, truncated },
  };
}
