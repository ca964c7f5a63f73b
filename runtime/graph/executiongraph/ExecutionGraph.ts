import { randomBytes } from 'node:crypto';
import type { JobGraphSpec, JobVertexSpec, JobEdgeSpec } from '../jobgraph/JobGraph.js';
import { type ExecutionState, canTransition, isTerminal } from './ExecutionState.js';
import type { JobStatus } from '../../api/environment/JobClient.js';

/** Where an execution runs: a TaskManager and a slot of it. */
export interface SlotLocation { taskManagerId: string; slotIndex: number; host?: string; dataPort?: number }

/** One deployment attempt of a subtask. */
export class Execution {
  readonly attemptId = randomBytes(16).toString('hex');
  state: ExecutionState = 'CREATED';
  readonly stateTimestamps: Partial<Record<ExecutionState, number>> = { CREATED: Date.now() };
  slot: SlotLocation | undefined;
  failureCause: string | undefined;
  constructor(readonly vertex: ExecutionVertex, readonly attemptNumber: number) {}

  /** Returns false for a transition Flink would ignore (e.g. a late update after cancel). */
  transitionState(to: ExecutionState): boolean {
    if (this.state === to) return true;
    if (!canTransition(this.state, to)) return false;
    this.state = to;
    this.stateTimestamps[to] = Date.now();
    return true;
  }
  get isTerminal(): boolean { return isTerminal(this.state); }
}

export class ExecutionVertex {
  currentExecution: Execution;
  readonly priorExecutions: Execution[] = [];
  constructor(readonly jobVertex: ExecutionJobVertex, readonly subtaskIndex: number) {
    this.currentExecution = new Execution(this, 0);
  }
  get taskNameWithSubtaskIndex(): string { return `${this.jobVertex.spec.name} (${this.subtaskIndex + 1}/${this.jobVertex.parallelism})`; }
  /** A new attempt for a restart. */
  resetForNewExecution(): Execution {
    this.priorExecutions.push(this.currentExecution);
    this.currentExecution = new Execution(this, this.currentExecution.attemptNumber + 1);
    return this.currentExecution;
  }
}

export class ExecutionJobVertex {
  readonly taskVertices: ExecutionVertex[];
  constructor(readonly spec: JobVertexSpec) {
    this.taskVertices = Array.from({ length: spec.parallelism }, (_, i) => new ExecutionVertex(this, i));
  }
  get parallelism(): number { return this.spec.parallelism; }
  get id(): string { return this.spec.id; }
}

/** `resultPartitionType` BLOCKING: the task writes the partition to local files, consumers read it after the task finished. */
export interface ProducedPartitionDescriptor { edgeId: string; partitionId: string; numSubpartitions: number; resultPartitionType: 'PIPELINED' | 'BLOCKING' }
export interface ConsumedChannel { partitionId: string; subpartition: number; producer: ExecutionVertex }

/** The parallel, executable form of the JobGraph, owned by the JobMaster. */
export class ExecutionGraph {
  readonly jobVertices = new Map<string, ExecutionJobVertex>();
  state: JobStatus = 'CREATED';
  readonly stateTimestamps: Partial<Record<JobStatus, number>> = { CREATED: Date.now() };
  failureCause: Error | undefined;
  readonly exceptionHistory: Array<{ timestamp: number; exception: string; taskName?: string; location?: string }> = [];
  /** Restarts so far, global and per region (metric numRestarts). */
  numRestarts = 0;

  constructor(readonly jobGraph: JobGraphSpec) {
    for (const v of jobGraph.vertices) this.jobVertices.set(v.id, new ExecutionJobVertex(v));
  }

  get jobId(): string { return this.jobGraph.jobId; }
  getJobVertex(id: string): ExecutionJobVertex {
    const v = this.jobVertices.get(id);
    if (!v) throw new Error(`Job ${this.jobId} has no vertex ${id}`);
    return v;
  }
  *allExecutionVertices(): Iterable<ExecutionVertex> {
    for (const jv of this.jobVertices.values()) yield* jv.taskVertices;
  }
  transitionState(to: JobStatus): void {
    this.state = to;
    this.stateTimestamps[to] = Date.now();
  }

  /**
   * Scoped by job: TaskManagers run several jobs, and jobs built from the same program have the same edge ids.
   * The `<jobId>/` prefix is what TaskManagers release a whole job's partitions by.
   */
  private partitionId(edge: JobEdgeSpec, producer: ExecutionVertex): string {
    return `${this.jobGraph.jobId}/${edge.id}#${producer.subtaskIndex}@${producer.currentExecution.attemptNumber}`;
  }

  /** Partitions a subtask produces: one per outgoing edge. */
  producedPartitions(ev: ExecutionVertex): ProducedPartitionDescriptor[] {
    const p = ev.jobVertex.parallelism;
    return this.jobGraph.edges.filter((e) => e.sourceVertexId === ev.jobVertex.id).map((e) => {
      const c = this.getJobVertex(e.targetVertexId).parallelism;
      let n: number;
      if (e.distributionPattern === 'ALL_TO_ALL') n = c;
      else if (p >= c) n = 1;
      else n = pointwiseConsumersOf(ev.subtaskIndex, p, c).length;
      return { edgeId: e.id, partitionId: this.partitionId(e, ev), numSubpartitions: n, resultPartitionType: e.resultPartitionType };
    });
  }

  /** Channels a subtask reads, per incoming edge. */
  consumedChannels(ev: ExecutionVertex): Array<{ edge: JobEdgeSpec; channels: ConsumedChannel[] }> {
    const c = ev.jobVertex.parallelism;
    const j = ev.subtaskIndex;
    return this.jobGraph.edges.filter((e) => e.targetVertexId === ev.jobVertex.id).map((e) => {
      const producers = this.getJobVertex(e.sourceVertexId).taskVertices;
      const p = producers.length;
      let channels: ConsumedChannel[];
      if (e.distributionPattern === 'ALL_TO_ALL') {
        channels = producers.map((pv) => ({ partitionId: this.partitionId(e, pv), subpartition: j, producer: pv }));
      } else if (p === c) {
        channels = [{ partitionId: this.partitionId(e, producers[j]), subpartition: 0, producer: producers[j] }];
      } else if (p < c) {
        const i = Math.floor((j * p) / c);
        const first = pointwiseConsumersOf(i, p, c)[0];
        channels = [{ partitionId: this.partitionId(e, producers[i]), subpartition: j - first, producer: producers[i] }];
      } else {
        channels = producers.filter((_, i) => Math.floor((i * c) / p) === j)
          .map((pv) => ({ partitionId: this.partitionId(e, pv), subpartition: 0, producer: pv }));
      }
      return { edge: e, channels };
    });
  }
}

/** Consumers of producer i on a POINTWISE edge with p producers < c consumers. */
export function pointwiseConsumersOf(i: number, p: number, c: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < c; j++) if (Math.floor((j * p) / c) === i) out.push(j);
  return out;
}
