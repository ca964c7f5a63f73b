import { createHash, randomBytes } from 'node:crypto';
import type { StreamGraph, StreamNode, StreamEdge } from '../streamgraph/StreamGraph.js';
import { ExecutionOptions } from '../../configuration/index.js';
import type { JobGraphSpec, JobVertexSpec, JobEdgeSpec, ChainedOperatorSpec } from './JobGraph.js';

/**
 * StreamGraph → JobGraph with Flink's chaining rules: an edge is chained when it is a forward
 * edge between operators of equal parallelism, the downstream has that single input, both are
 * in the same slot sharing group, and chaining is allowed on both ends.
 */
export class StreamingJobGraphGenerator {
  private readonly vertices = new Map<number, JobVertexSpec>(); // by head node id
  private readonly chainOf = new Map<number, number>(); // node id → head node id
  private readonly edges: JobEdgeSpec[] = [];
  private readonly ops = new Map<number, ChainedOperatorSpec>();

  constructor(private readonly sg: StreamGraph, private readonly jobId: string = randomBytes(16).toString('hex'), private readonly executionIndex = 0) {}

  static isChainable(edge: StreamEdge, sg: StreamGraph): boolean {
    const up = sg.getNode(edge.sourceId);
    const down = sg.getNode(edge.targetId);
    return sg.chainingEnabled
      && down.inEdges.length === 1
      && up.slotSharingGroup === down.slotSharingGroup
      && down.chainingStrategy === 'ALWAYS'
      && (up.chainingStrategy === 'ALWAYS' || up.chainingStrategy === 'HEAD')
      && edge.partitioner.type === 'FORWARD'
      && up.parallelism === down.parallelism;
  }

  generate(): JobGraphSpec {
    const heads = [...this.sg.nodes.values()].filter((n) => n.inEdges.length === 0).sort((a, b) => a.id - b.id);
    const pending = [...heads.map((h) => h.id)];
    const started = new Set<number>();
    while (pending.length > 0) {
      const headId = pending.shift()!;
      if (started.has(headId)) continue;
      started.add(headId);
      const nonChained: StreamEdge[] = [];
      this.createChain(headId, headId, nonChained);
      for (const e of nonChained) if (!started.has(e.targetId)) pending.push(e.targetId);
    }
    for (const e of this.pendingEdges) this.connect(e);
    const vertices = [...this.vertices.values()].sort((a, b) => a.headNodeId - b.headNodeId);
    return {
      jobId: this.jobId,
      jobName: this.sg.jobName,
      runtimeMode: this.sg.runtimeMode,
      fingerprint: this.sg.fingerprint(),
      vertices,
      edges: this.edges,
      configuration: this.sg.configuration.toMap(),
      collectSinks: [...this.sg.collectLimits.entries()].map(([nodeId, limit]) => (limit === undefined ? { nodeId } : { nodeId, limit })),
      executionIndex: this.executionIndex,
    };
  }

  private readonly pendingEdges: StreamEdge[] = [];

  /** BATCH with execution.batch-shuffle-mode ALL_EXCHANGES_BLOCKING (default): every non-chained edge is a blocking exchange (stage by stage). */
  private get blockingExchanges(): boolean {
    return this.sg.runtimeMode === 'BATCH' && this.sg.configuration.get(ExecutionOptions.BATCH_SHUFFLE_MODE) === 'ALL_EXCHANGES_BLOCKING';
  }

  private createChain(headId: number, currentId: number, nonChained: StreamEdge[]): void {
    const node = this.sg.getNode(currentId);
    this.chainOf.set(currentId, headId);
    const op: ChainedOperatorSpec = {
      nodeId: node.id, name: node.name, operatorKind: node.operatorKind, isKeyed: node.isKeyed,
      chainedOutputs: [], networkOutputs: [], ...(node.uid ? { uid: node.uid } : {}),
    };
    this.ops.set(currentId, op);
    if (headId === currentId) this.createVertex(node);
    const vertex = this.vertices.get(headId)!;
    vertex.operators.push(op);
    for (const e of node.outEdges) {
      if (StreamingJobGraphGenerator.isChainable(e, this.sg)) {
        op.chainedOutputs.push(e.outputTag ? { targetNodeId: e.targetId, outputTag: e.outputTag } : { targetNodeId: e.targetId });
        this.createChain(headId, e.targetId, nonChained);
      } else {
        nonChained.push(e);
        this.pendingEdges.push(e);
      }
    }
    vertex.name = vertex.operators.map((o) => this.displayName(o)).join(' -> ');
    vertex.bufferTimeout = Math.min(...vertex.operators.map((o) => this.bufferTimeoutOf(o.nodeId)));
  }

  private bufferTimeoutOf(nodeId: number): number {
    const t = this.sg.getNode(nodeId).bufferTimeout;
    // -1 (flush only when full) must not win the min over real timeouts.
    return t < 0 ? Number.MAX_SAFE_INTEGER : t;
  }

  private displayName(o: ChainedOperatorSpec): string {
    return this.sg.getNode(o.nodeId).isSource ? `Source: ${o.name}` : o.name;
  }

  private createVertex(head: StreamNode): void {
    const id = createHash('md5').update(`vertex:${head.uid ?? `node-${head.id}`}`).digest('hex');
    this.vertices.set(head.id, {
      id, name: head.name, parallelism: head.parallelism, maxParallelism: head.maxParallelism, slotSharingGroup: head.slotSharingGroup,
      operators: [], headNodeId: head.id, isSource: head.isSource, bufferTimeout: head.bufferTimeout,
    });
  }

  private connect(e: StreamEdge): void {
    const srcVertex = this.vertices.get(this.chainOf.get(e.sourceId)!)!;
    const dstVertex = this.vertices.get(this.chainOf.get(e.targetId)!)!;
    if (dstVertex.headNodeId !== e.targetId) throw new Error(`internal: edge ${e.id} does not end at a chain head`);
    const pointwise = e.partitioner.isPointwise;
    const spec: JobEdgeSpec = {
      id: e.id,
      sourceVertexId: srcVertex.id,
      targetVertexId: dstVertex.id,
      sourceNodeId: e.sourceId,
      targetNodeId: e.targetId,
      typeNumber: e.typeNumber,
      partitioner: e.partitioner.type,
      distributionPattern: pointwise ? 'POINTWISE' : 'ALL_TO_ALL',
      resultPartitionType: this.blockingExchanges ? 'BLOCKING' : 'PIPELINED',
      ...(e.outputTag ? { outputTag: e.outputTag } : {}),
    };
    this.edges.push(spec);
    const op = this.ops.get(e.sourceId)!;
    op.networkOutputs.push(e.outputTag ? { edgeId: spec.id, outputTag: e.outputTag } : { edgeId: spec.id });
  }
}
