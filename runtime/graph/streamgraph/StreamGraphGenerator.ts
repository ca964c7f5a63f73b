import {
  type Transformation, SourceTransformation, OneInputTransformation, TwoInputTransformation, SinkTransformation,
  PartitionTransformation, UnionTransformation, SideOutputTransformation,
} from '../../api/dag/Transformation.js';
import { StreamGraph, StreamNode, StreamEdge } from './StreamGraph.js';
import { type StreamPartitioner, ForwardPartitioner, RebalancePartitioner, KeyGroupStreamPartitioner } from '../../partitioner/StreamPartitioner.js';
import { type Configuration, ExecutionOptions, PipelineOptions } from '../../configuration/index.js';
import { SourceOperator } from '../../operators/SourceOperator.js';

/** One upstream end of an edge, after resolving virtual transformations. */
interface EdgeEnd { nodeId: number; partitioner: StreamPartitioner | undefined; outputTag: string | undefined }

export const DEFAULT_SLOT_SHARING_GROUP = 'default';
/** Node ids of BATCH combiners (transformation ids, assigned 1, 2, … per job, stay far below). */
const COMBINER_NODE_ID_BASE = 1_000_000;

/** Translates transformations into a StreamGraph (Flink's StreamGraphGenerator). */
export class StreamGraphGenerator {
  private readonly done = new Map<number, EdgeEnd[]>();
  private graph!: StreamGraph;
  private readonly defaultMaxParallelism: number;
  private readonly defaultBufferTimeout: number;

  constructor(
    private readonly transformations: readonly Transformation[],
    private readonly conf: Configuration,
    private readonly defaultParallelism: number,
    private readonly jobName: string,
  ) {
    this.defaultMaxParallelism = conf.get(PipelineOptions.MAX_PARALLELISM);
    this.defaultBufferTimeout = conf.get(ExecutionOptions.BUFFER_TIMEOUT_ENABLED) ? conf.get(ExecutionOptions.BUFFER_TIMEOUT) : -1;
  }

  generate(): StreamGraph {
    if (this.transformations.length === 0) {
      throw new Error('No operators defined in streaming topology. Cannot execute: add a sink (print(), sinkTo(), executeAndCollect()) before execute().');
    }
    const mode = this.resolveRuntimeMode();
    const chaining = this.conf.get(PipelineOptions.OPERATOR_CHAINING);
    this.graph = new StreamGraph(this.jobName, mode, this.conf, chaining);
    for (const t of this.transformations) this.transform(t);
    return this.graph;
  }

  private resolveRuntimeMode(): 'STREAMING' | 'BATCH' {
    const mode = this.conf.get(ExecutionOptions.RUNTIME_MODE);
    const sources = new Set<SourceTransformation<unknown>>();
    const seen = new Set<number>();
    const visit = (t: Transformation): void => {
      if (seen.has(t.id)) return;
      seen.add(t.id);
      if (t instanceof SourceTransformation) sources.add(t as SourceTransformation<unknown>);
      for (const i of t.getInputs()) visit(i);
    };
    for (const t of this.transformations) visit(t);
    const unbounded = [...sources].filter((s) => s.boundedness === 'CONTINUOUS_UNBOUNDED');
    if (mode === 'BATCH' && unbounded.length > 0) {
      throw new Error(`Detected an UNBOUNDED source (${unbounded.map((s) => `'${s.name}'`).join(', ')}) with 'execution.runtime-mode' set to 'BATCH'. ` +
        "This combination is not allowed: set 'execution.runtime-mode' to STREAMING or AUTOMATIC, or use a bounded source.");
    }
    if (mode === 'AUTOMATIC') return unbounded.length === 0 ? 'BATCH' : 'STREAMING';
    return mode as 'STREAMING' | 'BATCH';
  }

  private transform(t: Transformation): EdgeEnd[] {
    const cached = this.done.get(t.id);
    if (cached) return cached;
    let ends: EdgeEnd[];
    if (t instanceof PartitionTransformation) {
      ends = this.transform(t.input).map((e) => ({ ...e, partitioner: t.partitioner }));
    } else if (t instanceof UnionTransformation) {
      ends = t.inputs.flatMap((i) => this.transform(i));
    } else if (t instanceof SideOutputTransformation) {
      ends = this.transform(t.input).map((e) => ({ ...e, outputTag: t.tagId }));
    } else if (t instanceof SourceTransformation) {
      const src = t as SourceTransformation<unknown>;
      const node = this.addNode(t, 'SourceOperator', () => new SourceOperator(src.source, src.watermarkStrategy), [], false);
      node.source = src.source;
      node.boundedness = src.boundedness;
      ends = [{ nodeId: node.id, partitioner: undefined, outputTag: undefined }];
    } else if (t instanceof OneInputTransformation || t instanceof SinkTransformation) {
      const input = (t instanceof OneInputTransformation && this.combinerInput(t)) || this.transform(t.input);
      const ssg = this.slotSharingGroup(t, input);
      const node = this.addNode(t, t.operatorKind, t.operatorFactory, [input], false, ssg);
      if (t instanceof OneInputTransformation && t.stateKeySelector) node.keySelectors = [t.stateKeySelector as (v: unknown) => unknown];
      this.connect(input, node, 0);
      ends = [{ nodeId: node.id, partitioner: undefined, outputTag: undefined }];
    } else if (t instanceof TwoInputTransformation) {
      const in1 = this.transform(t.input1);
      const in2 = this.transform(t.input2);
      const node = this.addNode(t, t.operatorKind, t.operatorFactory, [in1, in2], true, this.slotSharingGroup(t, [...in1, ...in2]));
      node.keySelectors = [t.stateKeySelector1 as ((v: unknown) => unknown) | undefined, t.stateKeySelector2 as ((v: unknown) => unknown) | undefined];
      this.connect(in1, node, 1);
      this.connect(in2, node, 2);
      ends = [{ nodeId: node.id, partitioner: undefined, outputTag: undefined }];
    } else {
      throw new Error(`Unknown transformation ${t.constructor.name}`);
    }
    this.done.set(t.id, ends);
    return ends;
  }

  /**
   * BATCH pre-aggregation: a keyed reduce-like operator whose input is a plain keyBy of one producer gets a
   * combiner chained to that producer (same parallelism, forward edge); the keyed exchange then starts at the
   * combiner. Its node id is COMBINER_NODE_ID_BASE + the keyed operator's id: deterministic, and no transformation
   * id shifts (STREAMING graphs and their operator ids stay as they were).
   */
  private combinerInput(t: OneInputTransformation<unknown, unknown>): EdgeEnd[] | undefined {
    if (t.batchCombiner === undefined || this.graph.runtimeMode !== 'BATCH' || !this.conf.get(ExecutionOptions.BATCH_PRE_AGGREGATION)) return undefined;
    const keyBy = t.input;
    if (!(keyBy instanceof PartitionTransformation) || !(keyBy.partitioner instanceof KeyGroupStreamPartitioner)) return undefined;
    const pre = this.transform(keyBy.input);
    if (pre.length !== 1 || pre[0]!.partitioner !== undefined) return undefined;
    const upstream = this.graph.getNode(pre[0]!.nodeId);
    const [combiner, maxKeys] = [t.batchCombiner, this.conf.get(ExecutionOptions.BATCH_PRE_AGGREGATION_MAX_KEYS)];
    const node = new StreamNode(COMBINER_NODE_ID_BASE + t.id, `Combine (${t.name})`, 'BatchCombineOperator', () => combiner(maxKeys), upstream.parallelism, upstream.maxParallelism,
      upstream.slotSharingGroup, 'ALWAYS', undefined, upstream.bufferTimeout, false);
    this.graph.addNode(node);
    this.connect(pre, node, 0);
    return [{ nodeId: node.id, partitioner: keyBy.partitioner, outputTag: undefined }];
  }

  private slotSharingGroup(t: Transformation, inputs: EdgeEnd[] | EdgeEnd[][]): string {
    if (t.slotSharingGroup) return t.slotSharingGroup;
    // Flink: inherit the inputs' group when they all agree, else 'default'.
    const groups = new Set((inputs.flat() as EdgeEnd[]).map((e) => this.graph.getNode(e.nodeId).slotSharingGroup));
    return groups.size === 1 ? [...groups][0] : DEFAULT_SLOT_SHARING_GROUP;
  }

  private addNode(t: Transformation, kind: string, factory: StreamNode['operatorFactory'], _inputs: EdgeEnd[][], twoInput: boolean, ssg?: string): StreamNode {
    const parallelism = t.parallelism > 0 ? t.parallelism : this.defaultParallelism;
    const maxParallelism = t.maxParallelism > 0 ? t.maxParallelism : this.defaultMaxParallelism;
    if (parallelism > maxParallelism) {
      throw new Error(`Operator '${t.name}': parallelism ${parallelism} is larger than its max parallelism ${maxParallelism}; raise it with setMaxParallelism() or 'pipeline.max-parallelism'.`);
    }
    const bufferTimeout = t.bufferTimeout === -2 ? this.defaultBufferTimeout : t.bufferTimeout;
    const node = new StreamNode(t.id, t.name, kind, factory, parallelism, maxParallelism, ssg ?? t.slotSharingGroup ?? DEFAULT_SLOT_SHARING_GROUP,
      t.chainingStrategy, t.uid, bufferTimeout, twoInput);
    this.graph.addNode(node);
    return node;
  }

  private connect(inputs: EdgeEnd[], target: StreamNode, typeNumber: number): void {
    for (const end of inputs) {
      const upstream = this.graph.getNode(end.nodeId);
      let p: StreamPartitioner;
      if (end.partitioner === undefined) {
        p = upstream.parallelism === target.parallelism ? new ForwardPartitioner() : new RebalancePartitioner();
      } else {
        p = end.partitioner.copy();
        if (p instanceof ForwardPartitioner && upstream.parallelism !== target.parallelism) {
          throw new Error(`Forward partitioning does not allow change of parallelism. Upstream operation: '${upstream.name}' parallelism: ${upstream.parallelism}, ` +
            `downstream operation: '${target.name}' parallelism: ${target.parallelism}. Use another partitioning strategy, such as broadcast, rebalance, shuffle or global.`);
        }
      }
      if (p instanceof KeyGroupStreamPartitioner) p.maxParallelism = target.maxParallelism;
      this.graph.addEdge(new StreamEdge(upstream.id, target.id, typeNumber, p, end.outputTag));
    }
  }
}
