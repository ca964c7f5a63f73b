import type { StreamPartitioner } from '../../partitioner/StreamPartitioner.js';
import type { OperatorFactory, StreamOperator } from '../../operators/StreamOperator.js';
import type { Source } from '../connector/Source.js';
import type { Boundedness } from '../connector/Boundedness.js';
import type { WatermarkStrategy } from '../eventtime/WatermarkStrategy.js';

export type ChainingStrategy = 'ALWAYS' | 'NEVER' | 'HEAD';

/**
 * The logical operation a DataStream method creates. The StreamGraphGenerator turns the
 * transformations reachable from the sinks into a StreamGraph. Ids are assigned in creation
 * order, so rebuilding `main` gives the same ids.
 */
export abstract class Transformation<T = unknown> {
  declare readonly __type?: T;
  name: string;
  uid: string | undefined;
  /** -1: use the environment's default at graph generation. */
  parallelism = -1;
  maxParallelism = -1;
  slotSharingGroup: string | undefined;
  chainingStrategy: ChainingStrategy = 'ALWAYS';
  /** -2: environment default. */
  bufferTimeout = -2;
  constructor(readonly id: number, name: string) { this.name = name; }
  abstract getInputs(): Transformation[];
}

export class SourceTransformation<T> extends Transformation<T> {
  override chainingStrategy: ChainingStrategy = 'HEAD';
  constructor(id: number, name: string, readonly source: Source<T, unknown>, readonly watermarkStrategy: WatermarkStrategy<T>) { super(id, name); }
  getInputs(): Transformation[] { return []; }
  get boundedness(): Boundedness { return this.source.getBoundedness(); }
}

export class OneInputTransformation<IN, OUT> extends Transformation<OUT> {
  /** Set for operators on a KeyedStream: the key of each input record. */
  stateKeySelector: ((v: IN) => unknown) | undefined;
  /** Keyed reduce-like operators: the combiner BATCH chains before their keyed exchange (pre-aggregation), holding up to maxKeys keys. */
  batchCombiner: ((maxKeys: number) => StreamOperator) | undefined;
  constructor(id: number, name: string, readonly input: Transformation<IN>, readonly operatorFactory: OperatorFactory, readonly operatorKind: string) { super(id, name); }
  getInputs(): Transformation[] { return [this.input]; }
}

export class TwoInputTransformation<IN1, IN2, OUT> extends Transformation<OUT> {
  stateKeySelector1: ((v: IN1) => unknown) | undefined;
  stateKeySelector2: ((v: IN2) => unknown) | undefined;
  constructor(id: number, name: string, readonly input1: Transformation<IN1>, readonly input2: Transformation<IN2>,
    readonly operatorFactory: OperatorFactory, readonly operatorKind: string) { super(id, name); }
  getInputs(): Transformation[] { return [this.input1, this.input2]; }
}

export class SinkTransformation<T> extends Transformation<T> {
  constructor(id: number, name: string, readonly input: Transformation<T>, readonly operatorFactory: OperatorFactory, readonly operatorKind: string) { super(id, name); }
  getInputs(): Transformation[] { return [this.input]; }
}

/** Virtual: changes how records reach the downstream operator. */
export class PartitionTransformation<T> extends Transformation<T> {
  constructor(id: number, readonly input: Transformation<T>, readonly partitioner: StreamPartitioner) { super(id, 'Partition'); }
  getInputs(): Transformation[] { return [this.input]; }
}

/** Virtual: several streams of one type. */
export class UnionTransformation<T> extends Transformation<T> {
  constructor(id: number, readonly inputs: Transformation<T>[]) { super(id, 'Union'); }
  getInputs(): Transformation[] { return this.inputs; }
}

/** Virtual: the records an operator emitted to a side output. */
export class SideOutputTransformation<T> extends Transformation<T> {
  constructor(id: number, readonly input: Transformation, readonly tagId: string) { super(id, `SideOutput(${tagId})`); }
  getInputs(): Transformation[] { return [this.input]; }
}
