import { Configuration, loadConfiguration, CoreOptions, PipelineOptions, ExecutionOptions, CheckpointingOptions, StateBackendOptions } from '../../configuration/index.js';
import type { Transformation } from '../dag/Transformation.js';
import { SourceTransformation } from '../dag/Transformation.js';
import { DataStream, SingleOutputStreamOperator, checkParallelism } from '../datastream/DataStream.js';
import type { Source } from '../connector/Source.js';
import { WatermarkStrategy } from '../eventtime/WatermarkStrategy.js';
import type { JobClient, JobExecutionResult, PipelineExecutor } from './JobClient.js';
import { PipelineExecutorServiceLoader } from './PipelineExecutorServiceLoader.js';
import type { StreamEnvironment } from './StreamEnvironment.js';
import { StreamGraphGenerator } from '../../graph/streamgraph/StreamGraphGenerator.js';
import type { StreamGraph } from '../../graph/streamgraph/StreamGraph.js';
import { CollectionSource } from '../../connectors/collection/CollectionSource.js';
import { NumberSequenceSource } from '../../connectors/sequence/NumberSequenceSource.js';
import { FileSource } from '../../connectors/file/FileSource.js';
import { TextLineFormat } from '../../connectors/file/TextLineFormat.js';
import { SocketSource } from '../../connectors/socket/SocketSource.js';
import { CheckpointConfig } from './CheckpointConfig.js';

export type RuntimeExecutionMode = 'STREAMING' | 'BATCH' | 'AUTOMATIC';
export const RuntimeExecutionMode = { STREAMING: 'STREAMING', BATCH: 'BATCH', AUTOMATIC: 'AUTOMATIC' } as const;

/** How getExecutionEnvironment() finds the environment the CLI or a cluster set up. */
export interface ExecutionEnvironmentFactory {
  createExecutionEnvironment(conf: Configuration): StreamExecutionEnvironment;
}
const CONTEXT_KEY = Symbol.for('tsflink.contextEnvironmentFactory');
type ContextHolder = { [CONTEXT_KEY]?: ExecutionEnvironmentFactory };

/** Entry point of every job: sources, configuration, execution (Flink's StreamExecutionEnvironment). */
export class StreamExecutionEnvironment implements StreamEnvironment {
  private transformations: Transformation[] = [];
  private idCounter = 0;
  readonly configuration: Configuration;
  private readonly checkpointConfig: CheckpointConfig;

  constructor(configuration: Configuration, private readonly executor: PipelineExecutor | null, private readonly defaultParallelism: number) {
    this.configuration = configuration;
    this.checkpointConfig = new CheckpointConfig(configuration);
  }

  /** The environment of the current context: in-process local, or the one the CLI/cluster provides. */
  static getExecutionEnvironment(conf?: Record<string, unknown>): StreamExecutionEnvironment {
    const factory = (globalThis as ContextHolder)[CONTEXT_KEY];
    const c = loadConfiguration();
    if (factory) {
      const env = factory.createExecutionEnvironment(c);
      if (conf) env.configure(conf);
      return env;
    }
    return StreamExecutionEnvironment.createLocalEnvironment(undefined, conf);
  }

  /** Local environment (execution.target=local): by default every subtask runs in this thread. */
  static createLocalEnvironment(parallelism?: number, conf?: Record<string, unknown>): StreamExecutionEnvironment {
    const c = loadConfiguration();
    if (conf) c.setAll(conf);
    c.set(ExecutionOptions.TARGET, 'local');
    const env = new StreamExecutionEnvironment(c, null, 1);
    if (parallelism !== undefined) env.setParallelism(parallelism);
    return env;
  }

  /** @internal installs the CLI/cluster context (Symbol.for key: shared by every copy of this module). */
  static initializeContextEnvironment(factory: ExecutionEnvironmentFactory): void { (globalThis as ContextHolder)[CONTEXT_KEY] = factory; }
  /** @internal */
  static resetContextEnvironment(): void { delete (globalThis as ContextHolder)[CONTEXT_KEY]; }

  // ---- configuration -------------------------------------------------------------------

  setParallelism(n: number): this { checkParallelism(n, 'environment'); this.configuration.set(CoreOptions.DEFAULT_PARALLELISM, n); return this; }
  getParallelism(): number { return this.configuration.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? this.defaultParallelism; }
  setMaxParallelism(n: number): this {
    if (!Number.isInteger(n) || n < 1 || n > 32768) throw new RangeError(`setMaxParallelism(${n}): must be an integer in 1..32768.`);
    this.configuration.set(PipelineOptions.MAX_PARALLELISM, n);
    return this;
  }
  getMaxParallelism(): number { return this.configuration.get(PipelineOptions.MAX_PARALLELISM); }
  setRuntimeMode(mode: RuntimeExecutionMode): this {
    if (mode !== 'STREAMING' && mode !== 'BATCH' && mode !== 'AUTOMATIC') throw new RangeError(`setRuntimeMode('${String(mode)}'): allowed are STREAMING, BATCH, AUTOMATIC.`);
    this.configuration.set(ExecutionOptions.RUNTIME_MODE, mode);
    return this;
  }
  getRuntimeMode(): RuntimeExecutionMode { return this.configuration.get(ExecutionOptions.RUNTIME_MODE) as RuntimeExecutionMode; }
  /** Flush interval of partly filled network buffers (ms); 0 = after every record, -1 = only when full. */
  setBufferTimeout(ms: number): this {
    if (!Number.isInteger(ms) || ms < -1) throw new RangeError(`setBufferTimeout(${ms}): use -1 (only when full), 0 (every record) or a positive number of ms.`);
    if (ms === -1) this.configuration.set(ExecutionOptions.BUFFER_TIMEOUT_ENABLED, false);
    else { this.configuration.set(ExecutionOptions.BUFFER_TIMEOUT_ENABLED, true); this.configuration.set(ExecutionOptions.BUFFER_TIMEOUT, ms); }
    return this;
  }
  getBufferTimeout(): number {
    return this.configuration.get(ExecutionOptions.BUFFER_TIMEOUT_ENABLED) ? this.configuration.get(ExecutionOptions.BUFFER_TIMEOUT) : -1;
  }
  enableCheckpointing(intervalMs: number, mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' = 'EXACTLY_ONCE'): this {
    if (!(intervalMs > 0)) throw new RangeError(`enableCheckpointing(${intervalMs}): the interval must be a positive number of ms.`);
    this.configuration.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, intervalMs);
    this.configuration.set(CheckpointingOptions.CHECKPOINTING_MODE, mode);
    return this;
  }
  getCheckpointConfig(): CheckpointConfig { return this.checkpointConfig; }
  setStateBackend(backend: 'hashmap' | 'leveldb'): this { this.configuration.set(StateBackendOptions.STATE_BACKEND, backend); return this; }
  configure(conf: Record<string, unknown>): this { this.configuration.setAll(conf); return this; }
  getConfig(): Configuration { return this.configuration; }

  // ---- sources -------------------------------------------------------------------------

  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.addNonParallelSource(new CollectionSource<T>(elements), 'Collection Source');
  }
  fromCollection<T>(collection: Iterable<T>): SingleOutputStreamOperator<T> {
    if (collection === null || collection === undefined || typeof (collection as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new TypeError('fromCollection: expected an iterable (array, Set, generator, ...).');
    }
    return this.addNonParallelSource(new CollectionSource<T>([...collection]), 'Collection Source');
  }
  private addNonParallelSource<T>(source: Source<T, unknown>, name: string): SingleOutputStreamOperator<T> {
    const out = this.fromSource(source, WatermarkStrategy.noWatermarks<T>(), name);
    out.transformation.parallelism = 1;
    (out.transformation as SourceTransformation<T> & { nonParallel?: boolean }).nonParallel = true;
    return out;
  }
  /** Bounded, parallel: every integer of [from, to]. */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    return this.fromSource(new NumberSequenceSource(from, to), WatermarkStrategy.noWatermarks<number>(), 'Sequence Source');
  }
  fromSource<T>(source: Source<T, unknown>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string): SingleOutputStreamOperator<T> {
    if (!source || typeof source.createReader !== 'function' || typeof source.createEnumerator !== 'function') {
      throw new TypeError(`fromSource('${sourceName}'): expected a Source (createReader, createEnumerator, getBoundedness).`);
    }
    // Duck-typed: the strategy may come from another copy of the tsflink module.
    if (!watermarkStrategy || !('createGenerator' in watermarkStrategy) || !('timestampAssigner' in watermarkStrategy)) {
      throw new TypeError(`fromSource('${sourceName}'): the second argument must be a WatermarkStrategy, e.g. WatermarkStrategy.noWatermarks().`);
    }
    const t = new SourceTransformation<T>(this.nextTransformationId(), sourceName, source, watermarkStrategy);
    return new SingleOutputStreamOperator<T>(this, t);
  }
  /** Bounded lines of a file or directory (`file://`, plain path, `hdfs://`). */
  readTextFile(path: string): SingleOutputStreamOperator<string> {
    return this.fromSource(FileSource.forRecordStreamFormat(new TextLineFormat(), path).build(), WatermarkStrategy.noWatermarks<string>(), `FileSource(${path})`);
  }
  /** Unbounded lines from a TCP socket (parallelism 1). */
  socketTextStream(hostname: string, port: number, delimiter = '\n'): SingleOutputStreamOperator<string> {
    return this.addNonParallelSource(new SocketSource(hostname, port, delimiter), 'Socket Stream');
  }

  // ---- execution -----------------------------------------------------------------------

  /** @internal */ nextTransformationId(): number { return ++this.idCounter; }
  /** @internal */ addOperator(t: Transformation): void { this.transformations.push(t); }
  /** @internal */ getTransformations(): readonly Transformation[] { return this.transformations; }

  /** Builds the StreamGraph of everything defined so far and clears it (Flink's getStreamGraph). */
  getStreamGraph(jobName?: string, clear = true): StreamGraph {
    const name = jobName ?? this.configuration.getOptional(PipelineOptions.NAME) ?? 'tsflink job';
    const sg = new StreamGraphGenerator(this.transformations, this.configuration, this.getParallelism(), name).generate();
    if (clear) this.transformations = [];
    return sg;
  }

  async execute(jobName?: string): Promise<JobExecutionResult> {
    const client = await this.executeAsync(jobName);
    return client.getJobExecutionResult();
  }

  async executeAsync(jobName?: string): Promise<JobClient> {
    const sg = this.getStreamGraph(jobName);
    return this.getExecutor().execute(sg);
  }

  /** @internal runs the job and returns what the collect sink `sinkId` received. */
  async executeWithCollect(jobName: string | undefined, sinkId: number, limit: number | undefined): Promise<unknown[]> {
    const sg = this.getStreamGraph(jobName);
    sg.collectLimits.set(sinkId, limit);
    const client = await this.getExecutor().execute(sg);
    await client.getJobExecutionResult();
    const values = client.collected ? await client.collected(sinkId) : [];
    return limit === undefined ? values : values.slice(0, limit);
  }

  /** The executor handed in, else the one registered for this environment's execution.target. */
  protected getExecutor(): PipelineExecutor {
    return this.executor ?? PipelineExecutorServiceLoader.getExecutorFactory(this.configuration).getExecutor(this.configuration);
  }
}
