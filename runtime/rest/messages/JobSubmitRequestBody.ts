// POST /jobs: a multipart request with a JSON part 'request' (this body) and one file part, the job
// bundle. Flink's request names the JobGraph file and jars; tsflink sends the JobGraph inline.
import type { JobGraphSpec } from '../../graph/jobgraph/JobGraph.js';

export interface JobSubmitRequestBody {
  jobGraph: JobGraphSpec;
  args: string[];
  defaultParallelism: number;
  baseConfiguration: Record<string, string>;
  /** sha256 hex of the bundle file part; the upload is rejected if it differs. */
  bundleHash: string;
  /** File name of the bundle part (like Flink's jobJarFileNames); checked if given. */
  bundleFileName?: string;
  /** The job file the bundle was built from (for messages only). */
  bundleEntry?: string;
  /**
   * The file: URL the bundle imports 'tsflink' from (the client's installation). The JobManager
   * re-pins it to its own runtime when they differ, so client and cluster need not share a path.
   */
  tsflinkRuntime?: string;
}

/** Flink answers 202 {"jobUrl"}; tsflink adds the id itself. */
export interface JobSubmitResponseBody { jobUrl: string; jobid: string }

/** The name of the JSON part. */
export const REQUEST_PART = 'request';

const hex32 = { type: 'string', pattern: '^[0-9a-f]{32}$' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const partitioners = ['FORWARD', 'REBALANCE', 'RESCALE', 'SHUFFLE', 'BROADCAST', 'GLOBAL', 'HASH', 'CUSTOM'];

const operatorSchema = {
  type: 'object',
  required: ['nodeId', 'name', 'operatorKind', 'isKeyed', 'chainedOutputs', 'networkOutputs'],
  properties: {
    nodeId: { type: 'integer', minimum: 0 },
    name: { type: 'string' },
    uid: { type: 'string' },
    operatorKind: { type: 'string' },
    isKeyed: { type: 'boolean' },
    chainedOutputs: { type: 'array', items: { type: 'object', required: ['targetNodeId'], properties: { targetNodeId: { type: 'integer' }, outputTag: { type: 'string' } } } },
    networkOutputs: { type: 'array', items: { type: 'object', required: ['edgeId'], properties: { edgeId: { type: 'string' }, outputTag: { type: 'string' } } } },
  },
} as const;

const vertexSchema = {
  type: 'object',
  required: ['id', 'name', 'parallelism', 'maxParallelism', 'slotSharingGroup', 'operators', 'headNodeId', 'isSource', 'bufferTimeout'],
  properties: {
    id: hex32,
    name: { type: 'string' },
    parallelism: { type: 'integer', minimum: 1, maximum: 32768 },
    maxParallelism: { type: 'integer', minimum: 1, maximum: 32768 },
    slotSharingGroup: { type: 'string' },
    operators: { type: 'array', minItems: 1, items: operatorSchema },
    headNodeId: { type: 'integer', minimum: 0 },
    isSource: { type: 'boolean' },
    bufferTimeout: { type: 'number' },
  },
} as const;

const edgeSchema = {
  type: 'object',
  required: ['id', 'sourceVertexId', 'targetVertexId', 'sourceNodeId', 'targetNodeId', 'typeNumber', 'partitioner', 'distributionPattern', 'resultPartitionType'],
  properties: {
    id: { type: 'string' },
    sourceVertexId: hex32,
    targetVertexId: hex32,
    sourceNodeId: { type: 'integer' },
    targetNodeId: { type: 'integer' },
    typeNumber: { type: 'integer' },
    outputTag: { type: 'string' },
    partitioner: { type: 'string', enum: partitioners },
    distributionPattern: { type: 'string', enum: ['ALL_TO_ALL', 'POINTWISE'] },
    resultPartitionType: { type: 'string', enum: ['PIPELINED', 'BLOCKING'] },
  },
} as const;

/** JSON schema of the 'request' part (validated with fastify's Ajv). */
export const jobSubmitRequestSchema = {
  type: 'object',
  required: ['jobGraph', 'args', 'defaultParallelism', 'baseConfiguration', 'bundleHash'],
  properties: {
    jobGraph: {
      type: 'object',
      required: ['jobId', 'jobName', 'runtimeMode', 'fingerprint', 'vertices', 'edges', 'configuration', 'collectSinks', 'executionIndex'],
      properties: {
        jobId: hex32,
        jobName: { type: 'string' },
        runtimeMode: { type: 'string', enum: ['STREAMING', 'BATCH'] },
        fingerprint: { type: 'string' },
        vertices: { type: 'array', minItems: 1, items: vertexSchema },
        edges: { type: 'array', items: edgeSchema },
        configuration: stringMap,
        collectSinks: { type: 'array', items: { type: 'object', required: ['nodeId'], properties: { nodeId: { type: 'integer' }, limit: { type: 'integer' } } } },
        executionIndex: { type: 'integer', minimum: 0 },
      },
    },
    args: { type: 'array', items: { type: 'string' } },
    defaultParallelism: { type: 'integer', minimum: 1, maximum: 32768 },
    baseConfiguration: stringMap,
    bundleHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    bundleFileName: { type: 'string' },
    bundleEntry: { type: 'string' },
    tsflinkRuntime: { type: 'string', pattern: '^file:' },
  },
} as const;
