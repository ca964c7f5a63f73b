import type { PartitionerType } from '../../partitioner/StreamPartitioner.js';
import type { JobGraphJson } from './JobGraphJson.js';

/** One operator inside a chain, and where its output goes. */
export interface ChainedOperatorSpec {
  nodeId: number;
  name: string;
  uid?: string;
  operatorKind: string;
  isKeyed: boolean;
  /** Next operators in the same chain. */
  chainedOutputs: Array<{ targetNodeId: number; outputTag?: string }>;
  /** Edges leaving the chain (ids of JobEdgeSpec / intermediate results). */
  networkOutputs: Array<{ edgeId: string; outputTag?: string }>;
}

export interface JobVertexSpec {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
  slotSharingGroup: string;
  /** Head first, in topological order. */
  operators: ChainedOperatorSpec[];
  headNodeId: number;
  isSource: boolean;
  bufferTimeout: number;
}

/** A non-chained connection: one IntermediateDataSet produced by `source`, consumed by `target`. */
export interface JobEdgeSpec {
  id: string;
  sourceVertexId: string;
  targetVertexId: string;
  sourceNodeId: number;
  targetNodeId: number;
  typeNumber: number;
  outputTag?: string;
  partitioner: PartitionerType;
  distributionPattern: 'ALL_TO_ALL' | 'POINTWISE';
  resultPartitionType: 'PIPELINED' | 'BLOCKING';
}

/** What the client submits (plain data; user code travels in the job bundle). */
export interface JobGraphSpec {
  jobId: string;
  jobName: string;
  runtimeMode: 'STREAMING' | 'BATCH';
  fingerprint: string;
  vertices: JobVertexSpec[];
  edges: JobEdgeSpec[];
  configuration: Record<string, string>;
  collectSinks: Array<{ nodeId: number; limit?: number }>;
  /** Which execute() call of main this job is (0-based), so a slot picks the right graph on rebuild. */
  executionIndex: number;
}

export function jobGraphToJson(g: JobGraphSpec): JobGraphJson {
  return {
    jobId: g.jobId,
    jobName: g.jobName,
    runtimeMode: g.runtimeMode,
    vertices: g.vertices.map((v) => ({
      id: v.id, name: v.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism, slotSharingGroup: v.slotSharingGroup,
      operators: v.operators.map((o) => (o.uid ? { id: o.nodeId, name: o.name, uid: o.uid } : { id: o.nodeId, name: o.name })),
    })),
    edges: g.edges.map((e) => ({ source: e.sourceVertexId, target: e.targetVertexId, partitioner: e.partitioner, resultPartitionType: e.resultPartitionType })),
  };
}

export function vertexOf(g: JobGraphSpec, id: string): JobVertexSpec {
  const v = g.vertices.find((x) => x.id === id);
  if (!v) throw new Error(`JobGraph of job ${g.jobId} has no vertex ${id}`);
  return v;
}
