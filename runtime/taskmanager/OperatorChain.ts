import type { Output, StreamOperator, StreamOperatorParameters, OperatorEventGateway, RuntimeMode } from '../operators/StreamOperator.js';
import type { JobVertexSpec, JobGraphSpec, ChainedOperatorSpec } from '../graph/jobgraph/JobGraph.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { ResultPartition } from '../network/index.js';
import type { TaskInfo } from '../api/functions/RuntimeContext.js';
import type { ProcessingTimeService } from '../operators/timers/ProcessingTimeService.js';
import { asChainedOutput, BroadcastingOutput, NoOutput } from './ChainingOutput.js';
import { RecordWriterOutput } from './RecordWriterOutput.js';
import type { KeyedStateBackend } from '../state/KeyedStateBackend.js';
import { createKeyedStateBackend } from '../state/StateBackendLoader.js';
import { Configuration } from '../configuration/Configuration.js';
import { AUTO_WATERMARK_INTERVAL, GLOBAL_JOB_PARAMETERS, parseJobParameters } from '../configuration/PipelineOptions.js';
import { computeKeyGroupRangeForOperatorIndex } from '../util/KeyGroupRangeAssignment.js';
import { OperatorStateStore, type OperatorStateSnapshot } from '../state/OperatorStateStore.js';
import type { KeyGroupsSnapshot } from '../state/KeyGroupsSnapshot.js';
import type { AccumulatorRegistry } from '../operators/AccumulatorRegistry.js';
import type { TaskMetricGroup } from '../metrics/groups/ComponentMetricGroups.js';
import type { OneInputStreamOperator } from '../operators/StreamOperator.js';

export interface ChainServices {
  taskInfo: TaskInfo;
  runtimeMode: RuntimeMode;
  processingTimeService: ProcessingTimeService;
  mailbox: (mail: () => void | Promise<void>) => void;
  yieldToMailbox?: () => Promise<void>;
  accumulators: AccumulatorRegistry;
  metricGroup: TaskMetricGroup;
  autoWatermarkInterval: number;
  operatorEventGateway(nodeId: number): OperatorEventGateway;
  /** Restoring from a checkpoint: each operator's share of it (operators absent here restore empty state). */
  restoredState?: ReadonlyMap<number, RestoredOperatorState>;
  /** The task takes checkpoints (StreamOperatorParameters.checkpointingEnabled). */
  checkpointingEnabled: boolean;
  /** A final checkpoint follows the end of input (StreamOperatorParameters.finalCheckpoint). */
  finalCheckpoint: boolean;
  /** The TaskManager's local directories (io.tmp.dirs), where the 'leveldb' backend keeps its instances. */
  localStateDirs?: readonly string[];
}

/** One operator's state as read back from a checkpoint. */
export interface RestoredOperatorState {
  readonly keyed: readonly KeyGroupsSnapshot[];
  readonly operator: readonly OperatorStateSnapshot[];
  /** Head operator of an unaligned checkpoint: in-flight records per input channel, replayed before new input. */
  readonly inputChannels?: ReadonlyArray<{ readonly channel: number; readonly batches: ReadonlyArray<readonly [unknown[], number[] | null]> }>;
  /** Rescaled keyed input: the in-flight records of several old subtasks; only those of this subtask's key groups are replayed. */
  readonly inputChannelsByKeyGroup?: boolean;
}

/** The stores of one operator, as a checkpoint snapshots them. */
export interface OperatorStateStores {
  readonly keyed: KeyedStateBackend | undefined;
  readonly operator: OperatorStateStore;
}

/** The operators of one task, wired head → tail, with the partitions leaving the chain (Flink's OperatorChain). */
export class OperatorChain {
  /** Head first. */
  readonly operators: StreamOperator[] = [];
  readonly operatorsByNode = new Map<number, StreamOperator>();
  readonly specsByNode = new Map<number, ChainedOperatorSpec>();
  readonly head: StreamOperator;
  /** Keyed backend and operator state store of every operator, by node id. */
  readonly stateStores = new Map<number, OperatorStateStores>();
  /** Where each operator's records go (its numRecordsOut / currentOutputWatermark metrics): chained operators and network outputs. */
  readonly outputsByNode = new Map<number, { chained: StreamOperator[]; network: RecordWriterOutput[] }>();

  constructor(
    readonly vertex: JobVertexSpec,
    private readonly jobGraph: JobGraphSpec,
    private readonly streamGraph: StreamGraph,
    private readonly partitionsByEdge: Map<string, ResultPartition>,
    private readonly services: ChainServices,
  ) {
    for (const o of vertex.operators) this.specsByNode.set(o.nodeId, o);
    this.head = this.createOperator(vertex.headNodeId);
    // Head first, topological: the order of the vertex spec.
    for (const o of vertex.operators) this.operators.push(this.operatorsByNode.get(o.nodeId)!);
  }

  private createOperator(nodeId: number): StreamOperator {
    const existing = this.operatorsByNode.get(nodeId);
    if (existing) return existing;
    const spec = this.specsByNode.get(nodeId)!;
    const node = this.streamGraph.getNode(nodeId);
    const op = node.operatorFactory();
    this.operatorsByNode.set(nodeId, op);

    const main: Output<unknown>[] = [];
    const sides = new Map<string, Output<unknown>[]>();
    const add = (o: Output<unknown>, tag: string | undefined): void => {
      if (tag === undefined) main.push(o);
      else { const l = sides.get(tag) ?? []; l.push(o); sides.set(tag, l); }
    };
    const targets: { chained: StreamOperator[]; network: RecordWriterOutput[] } = { chained: [], network: [] };
    this.outputsByNode.set(nodeId, targets);
    for (const c of spec.chainedOutputs) {
      const next = this.createOperator(c.targetNodeId);
      targets.chained.push(next);
      add(asChainedOutput(next as OneInputStreamOperator<unknown>), c.outputTag);
    }
    for (const n of spec.networkOutputs) {
      const out = this.networkOutput(nodeId, n.edgeId);
      targets.network.push(out);
      add(out, n.outputTag);
    }
    let output: Output<unknown>;
    if (main.length === 1 && sides.size === 0) output = main[0];
    else if (main.length === 0 && sides.size === 0) output = new NoOutput();
    else output = new BroadcastingOutput(main, sides);

    const s = this.services;
    const ti = s.taskInfo;
    const restored = s.restoredState;
    const mine = restored?.get(nodeId);
    let keyedBackend: KeyedStateBackend | undefined;
    if (node.isKeyed) {
      keyedBackend = createKeyedStateBackend(this.jobConfiguration, {
        keyGroupRange: computeKeyGroupRangeForOperatorIndex(node.maxParallelism, ti.numberOfParallelSubtasks, ti.indexOfThisSubtask),
        maxParallelism: node.maxParallelism, localDirs: s.localStateDirs ?? [], jobId: this.jobGraph.jobId, operatorId: String(nodeId),
        subtaskIndex: ti.indexOfThisSubtask, owner: `${node.name} (${ti.indexOfThisSubtask + 1}/${ti.numberOfParallelSubtasks})`,
        batchSortedInput: s.runtimeMode === 'BATCH' && nodeId === this.vertex.headNodeId,
      });
      if (mine) keyedBackend.restore(mine.keyed);
    }
    // Flink's isRestored(): the task restores from a checkpoint, whether or not this operator had state in it.
    const operatorStore = restored ? new OperatorStateStore(mine?.operator ?? []) : new OperatorStateStore();
    this.stateStores.set(nodeId, { keyed: keyedBackend, operator: operatorStore });
    const params: StreamOperatorParameters = {
      output,
      nodeId,
      operatorName: node.name,
      taskInfo: ti,
      metricGroup: s.metricGroup.getOrAddOperator(String(nodeId), node.name),
      runtimeMode: s.runtimeMode,
      processingTimeService: s.processingTimeService,
      keyedStateBackend: keyedBackend,
      keySelectors: node.keySelectors,
      operatorStateStore: operatorStore,
      accumulators: s.accumulators,
      jobParameters: this.jobParameters,
      operatorEventGateway: s.operatorEventGateway(nodeId),
      // A job setting of pipeline.auto-watermark-interval wins over the TaskManager's (Flink: part of the job's ExecutionConfig).
      autoWatermarkInterval: this.jobConfiguration.containsKey(AUTO_WATERMARK_INTERVAL.key) ? this.jobConfiguration.get(AUTO_WATERMARK_INTERVAL) : s.autoWatermarkInterval,
      mailbox: s.mailbox,
      yieldToMailbox: s.yieldToMailbox,
      checkpointingEnabled: s.checkpointingEnabled,
      finalCheckpoint: s.finalCheckpoint,
    };
    op.setup(params);
    return op;
  }

  private get jobConfiguration(): Configuration {
    return (this.jobConf ??= Configuration.fromMap(this.jobGraph.configuration));
  }
  private jobConf: Configuration | undefined;

  private get jobParameters(): Readonly<Record<string, string>> {
    return (this.jobParams ??= Object.freeze(parseJobParameters(this.jobConfiguration.get(GLOBAL_JOB_PARAMETERS))));
  }
  private jobParams: Readonly<Record<string, string>> | undefined;

  /** Opens backends that keep state off the heap (and loads their restored state); before operators initialize. */
  async openStateBackends(): Promise<void> {
    for (const s of this.stateStores.values()) await s.keyed?.open?.();
  }

  /** The task ended: backends release their stores (the 'leveldb' backend deletes its directory). */
  disposeStateBackends(): void {
    for (const s of this.stateStores.values()) s.keyed?.dispose();
  }

  private networkOutput(sourceNodeId: number, edgeId: string): RecordWriterOutput {
    const spec = this.jobGraph.edges.find((e) => e.id === edgeId);
    const partition = this.partitionsByEdge.get(edgeId);
    if (!spec || !partition) throw new Error(`internal: no partition for edge ${edgeId} of task ${this.services.taskInfo.taskNameWithSubtasks}`);
    const streamEdge = this.streamGraph.getNode(sourceNodeId).outEdges.find((e) => e.id === edgeId);
    if (!streamEdge) throw new Error(`internal: the rebuilt StreamGraph has no edge ${edgeId}`);
    const p = streamEdge.partitioner.copy();
    p.setup(partition.numSubpartitions, this.services.taskInfo.indexOfThisSubtask);
    return RecordWriterOutput.create(partition, p);
  }

  /** Operator name of a stack trace's innermost operator frame (errors name the operator, not just the chain). */
  locateOperator(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    const re = /at (?:async )?(\w+)\.(?:processElement[12]?|onTimer|onProcessingTime|onEventTime|open|finish|close|endKey|emitNext|processWatermark)\b/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(stack)) !== null) {
      const cls = m[1];
      const hits = [...this.operatorsByNode.entries()].filter(([, op]) => op.constructor.name === cls);
      if (hits.length === 1) return this.streamGraph.getNode(hits[0][0]).name;
      if (hits.length > 1) return undefined;
    }
    return undefined;
  }
}
