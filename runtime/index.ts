// tsflink public API (API.md): everything users import from 'tsflink'. Internals are not exported here.
import { registerLocalExecutor } from './minicluster/LocalExecutorFactory.js';

// The package root is the entry point of `node job.js`: jobs run on the in-thread local executor
// unless an entry point (tsflink run, the JobManager) registered another for execution.target.
registerLocalExecutor();

export { StreamExecutionEnvironment, RuntimeExecutionMode, type ExecutionEnvironmentFactory } from './api/environment/StreamExecutionEnvironment.js';
export { JobExecutionResult, type JobClient, type JobStatus } from './api/environment/JobClient.js';
export { CheckpointConfig } from './api/environment/CheckpointConfig.js';
export { DataStream, SingleOutputStreamOperator, KeyedStream, ConnectedStreams, DataStreamSink } from './api/datastream/DataStream.js';

export type { Collector } from './api/functions/Collector.js';
export { OutputTag } from './api/functions/Collector.js';
export type {
  MapFunction, FlatMapFunction, FilterFunction, KeySelector, ReduceFunction, CoMapFunction, CoFlatMapFunction,
  AggregateFunction, Partitioner, PartitionerFunction,
} from './api/functions/Functions.js';
export { AbstractRichFunction, RichMapFunction, RichFlatMapFunction, RichFilterFunction, RichReduceFunction } from './api/functions/RichFunction.js';
export type { RuntimeContext, OpenContext, TaskInfo, MetricGroup, Counter, Histogram } from './api/functions/RuntimeContext.js';
export type { CheckpointedFunction, CheckpointListener, FunctionSnapshotContext, FunctionInitializationContext } from './api/functions/CheckpointedFunction.js';
export { type Accumulator, IntCounter, LongCounter, DoubleCounter, ListAccumulator, AverageAccumulator } from './api/functions/Accumulator.js';
export {
  ProcessFunction, KeyedProcessFunction, CoProcessFunction, KeyedCoProcessFunction,
  BroadcastProcessFunction, KeyedBroadcastProcessFunction,
  type ProcessContext, type OnTimerContext, type KeyedProcessContext, type KeyedOnTimerContext, type TimerService, type TimeDomain,
} from './api/functions/ProcessFunction.js';

export type { ValueState, ListState, MapState, ReducingState, AggregatingState, BroadcastState, ReadOnlyBroadcastState } from './api/state/State.js';
export {
  ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor, StateDescriptor,
} from './api/state/StateDescriptor.js';
export { StateTtlConfig } from './api/state/StateTtlConfig.js';

export { WatermarkStrategy, type WatermarkGenerator, type WatermarkOutput, type TimestampAssigner } from './api/eventtime/WatermarkStrategy.js';

export type {
  Source, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext, SourceReaderContext, ReaderOutput, InputStatus,
} from './api/connector/Source.js';
export type { Sink, SinkWriter, CommittingSinkWriter, Committer, SinkWriterContext, WriterInitContext } from './api/connector/Sink.js';
export { DataGeneratorSource } from './connectors/datagen/DataGeneratorSource.js';
export { NumberSequenceSource } from './connectors/sequence/NumberSequenceSource.js';
export { SocketSource } from './connectors/socket/SocketSource.js';
export { FileSource, type FileSourceSplit } from './connectors/file/FileSource.js';
export { TextLineFormat } from './connectors/file/TextLineFormat.js';
export type { StreamFormat } from './connectors/file/StreamFormat.js';
export {
  FileSink, DefaultRollingPolicy, OnCheckpointRollingPolicy, OutputFileConfig, DateTimeBucketAssigner, BasePathBucketAssigner,
  type BucketAssigner, type RollingPolicy,
} from './connectors/file/FileSink.js';
export { SimpleStringEncoder } from './connectors/file/SimpleStringEncoder.js';
export { PrintSink } from './connectors/print/PrintSink.js';
export { DiscardingSink } from './connectors/discard/DiscardingSink.js';
export type { BulkFormat, BulkFormatReader, BulkFormatSplit, RandomAccessInput } from './connectors/file/BulkFormat.js';
export type { BulkWriter, BulkWriterFactory } from './connectors/file/BulkWriter.js';
export type { FileFormat } from './connectors/file/FileSource.js';
export type { BulkFormatBuilder, PartFileEncoding } from './connectors/file/FileSink.js';
export { CsvFormat, type CsvSchema, type CsvColumn, type CsvColumnType, type CsvRow } from './connectors/formats/CsvFormat.js';
export { JsonLinesFormat } from './connectors/formats/JsonLinesFormat.js';
export { ParquetFormat, type ParquetFormatOptions, type ParquetRow } from './connectors/parquet/ParquetFormat.js';
export { ParquetWriters, type ParquetWriterOptions } from './connectors/parquet/ParquetWriters.js';
export type { ParquetSchemaDefinition, ParquetField, ParquetLeafField, ParquetGroupField, ParquetType } from './connectors/parquet/parquetjs.js';

export { JobExecutionException } from './jobmanager/jobmaster/JobResult.js';

/** Durations are milliseconds as numbers (API.md). */
export const Duration = {
  ofMillis: (n: number): number => n,
  ofSeconds: (n: number): number => n * 1000,
  ofMinutes: (n: number): number => n * 60_000,
  ofHours: (n: number): number => n * 3_600_000,
  ofDays: (n: number): number => n * 86_400_000,
} as const;
