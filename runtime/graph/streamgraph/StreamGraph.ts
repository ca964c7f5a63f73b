import { createHash } from 'node:crypto';
import type { StreamPartitioner } from '../../partitioner/StreamPartitioner.js';
import type { OperatorFactory } from '../../operators/StreamOperator.js';
import type { ChainingStrategy } from '../../api/dag/Transformation.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import type { Source } from '../../api/connector/Source.js';
import type { Configuration } from '../../configuration/index.js';

export class StreamNode {
  readonly inEdges: StreamEdge[] = [];
  readonly outEdges: StreamEdge[] = [];
  /** Key selectors of a keyed operator's inputs (index 0: first input). */
  keySelectors: Array<((v: unknown) => unknown) | undefined> = [];
  /** For source nodes: the Source, whose enumerator runs in the JobMaster. */
  source: Source<unknown, unknown> | undefined;
  boundedness: Boundedness | undefined;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly operatorKind: string,
    readonly operatorFactory: OperatorFactory,
    readonly parallelism: number,
    readonly maxParallelism: number,
    readonly slotSharingGroup: string,
    readonly chainingStrategy: ChainingStrategy,
    readonly uid: string | undefined,
    readonly bufferTimeout: number,
    readonly isTwoInput: boolean,
  ) {}
  get isSource(): boolean { return this.source !== undefined; }
  get isKeyed(): boolean { return this.keySelectors.some((k) => k !== undefined); }
}

export class StreamEdge {
  constructor(
    readonly sourceId: number,
    readonly targetId: number,
    /** 0 for one-input operators, 1 or 2 for the inputs of two-input operators. */
    readonly typeNumber: number,
    readonly partitioner: StreamPartitioner,
    readonly outputTag: string | undefined,
  ) {}
  get id(): string { return `${this.sourceId}_${this.targetId}_${this.typeNumber}_${this.outputTag ?? ''}`; }
}

/** The operator graph a job's main builds (Flink's StreamGraph): one node per operator. */
export class StreamGraph {
  readonly nodes = new Map<number, StreamNode>();
  /** executeAndCollect sinks and their record limits. */
  readonly collectLimits = new Map<number, number | undefined>();
  constructor(
    readonly jobName: string,
    readonly runtimeMode: 'STREAMING' | 'BATCH',
    readonly configuration: Configuration,
    readonly chainingEnabled: boolean,
  ) {}

  addNode(n: StreamNode): void { this.nodes.set(n.id, n); }
  getNode(id: number): StreamNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`StreamGraph has no node ${id}`);
    return n;
  }
  addEdge(e: StreamEdge): void {
    this.getNode(e.sourceId).outEdges.push(e);
    this.getNode(e.targetId).inEdges.push(e);
  }
  get sourceIds(): number[] { return [...this.nodes.values()].filter((n) => n.inEdges.length === 0).map((n) => n.id); }

  /**
   * Structural fingerprint: operators, parallelism and connections, not user code. A job's
   * main re-run in a slot must produce the same fingerprint as the submitted graph.
   */
  fingerprint(): string {
    const nodes = [...this.nodes.values()].sort((a, b) => a.id - b.id).map((n) => [
      n.id, n.name, n.operatorKind, n.parallelism, n.maxParallelism, n.slotSharingGroup, n.chainingStrategy, n.uid ?? '', n.isKeyed,
      n.outEdges.map((e) => [e.targetId, e.typeNumber, e.partitioner.type, e.outputTag ?? '']),
    ]);
    return createHash('sha256').update(JSON.stringify([this.runtimeMode, this.chainingEnabled, nodes])).digest('hex');
  }

  /** Readable description for graph-mismatch errors. */
  describe(): string {
    return [...this.nodes.values()].sort((a, b) => a.id - b.id)
      .map((n) => `${n.id}:${n.name}(p=${n.parallelism})->[${n.outEdges.map((e) => `${e.targetId}/${e.partitioner.type}`).join(',')}]`).join(' ');
  }
}
