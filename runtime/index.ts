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
export type { RuntimeContext, OpenContext, TaskInfo, MetricGroup, Counter, Histogram, HistogramStatistics, Meter } from './api/functions/RuntimeContext.js';
export type { CheckpointedFunction, CheckpointListener, FunctionSnapshotContext, FunctionInitializationContext } from './api/functions/CheckpointedFunction.js';
export { type Accumulator, IntCounter, LongCounter, DoubleCounter, ListAccumulator, AverageAccumulator } from './api/functions/Accumulator.js';
export {
  ProcessFunction, KeyedProcessFunction, CoProcessFunction, KeyedCoProcessFunction,
  type ProcessContext, type OnTimerContext, type KeyedProcessContext, type KeyedOnTimerContext, type TimerService, type TimeDomain,
} from './api/functions/ProcessFunction.js';

// Async I/O (API.md §4).
export { AsyncDataStream } from './api/datastream/AsyncDataStream.js';
export { type AsyncFunction, type AsyncFunctionObject, RichAsyncFunction, TimeoutException } from './api/functions/AsyncFunction.js';
export { type AsyncRetryStrategy, type AsyncRetryPredicate, AsyncRetryStrategies, RetryPredicates } from './api/functions/AsyncRetryStrategy.js';

// Windows (API.md §2): loading these modules also adds KeyedStream.window/countWindow and DataStream.windowAll/countWindowAll.
export { WindowedStream, type PostAggregationWindowFunction } from './api/datastream/WindowedStream.js';
export { AllWindowedStream, type PostAggregationAllWindowFunction } from './api/datastream/AllWindowedStream.js';
// Joins (API.md §2): loading these modules also adds DataStream.join/coGroup and KeyedStream.intervalJoin.
export {
  CoGroupedStreams, CoGroupedStreamsWhere, CoGroupedStreamsEqualTo, CoGroupedStreamsWithWindow, type TaggedUnion,
} from './api/datastream/CoGroupedStreams.js';
export { JoinedStreams, JoinedStreamsWithWindow, type JoinedStreamsWhere, type JoinedStreamsEqualTo } from './api/datastream/JoinedStreams.js';
export { IntervalJoin, IntervalJoined } from './api/datastream/IntervalJoin.js';
// Broadcast state (API.md §2, §4): loading BroadcastConnectedStream adds DataStream.connect(broadcastStream).
export { BroadcastStream } from './api/datastream/BroadcastStream.js';
export { BroadcastConnectedStream } from './api/datastream/BroadcastConnectedStream.js';
export {
  BroadcastProcessFunction, KeyedBroadcastProcessFunction,
  type BroadcastProcessFunctionLike, type KeyedBroadcastProcessFunctionLike, type BaseBroadcastContext, type BroadcastContext,
  type ReadOnlyBroadcastContext, type KeyedBroadcastContext, type KeyedReadOnlyContext, type KeyedBroadcastOnTimerContext, type KeyedStateApplier,
} from './api/functions/BroadcastProcessFunction.js';
export {
  RichJoinFunction, RichFlatJoinFunction, RichCoGroupFunction, ProcessJoinFunction,
  type JoinFunction, type FlatJoinFunction, type CoGroupFunction, type ProcessJoinContext, type ProcessJoinFunctionLike,
} from './api/functions/JoinFunctions.js';
export { Window, type WindowSerializer } from './api/windowing/windows/Window.js';
export { TimeWindow } from './api/windowing/windows/TimeWindow.js';
export { GlobalWindow } from './api/windowing/windows/GlobalWindow.js';
export { WindowAssigner, MergingWindowAssigner, type WindowAssignerContext } from './api/windowing/assigners/WindowAssigner.js';
export { WindowStagger } from './api/windowing/assigners/WindowStagger.js';
export { TumblingEventTimeWindows } from './api/windowing/assigners/TumblingEventTimeWindows.js';
export { TumblingProcessingTimeWindows } from './api/windowing/assigners/TumblingProcessingTimeWindows.js';
export { SlidingEventTimeWindows } from './api/windowing/assigners/SlidingEventTimeWindows.js';
export { SlidingProcessingTimeWindows } from './api/windowing/assigners/SlidingProcessingTimeWindows.js';
export { EventTimeSessionWindows, type SessionWindowTimeGapExtractor } from './api/windowing/assigners/EventTimeSessionWindows.js';
export { ProcessingTimeSessionWindows } from './api/windowing/assigners/ProcessingTimeSessionWindows.js';
export { GlobalWindows } from './api/windowing/assigners/GlobalWindows.js';
export { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './api/windowing/triggers/Trigger.js';
export { EventTimeTrigger } from './api/windowing/triggers/EventTimeTrigger.js';
export { ProcessingTimeTrigger } from './api/windowing/triggers/ProcessingTimeTrigger.js';
export { CountTrigger } from './api/windowing/triggers/CountTrigger.js';
export { PurgingTrigger } from './api/windowing/triggers/PurgingTrigger.js';
export { ContinuousEventTimeTrigger } from './api/windowing/triggers/ContinuousEventTimeTrigger.js';
export { ContinuousProcessingTimeTrigger } from './api/windowing/triggers/ContinuousProcessingTimeTrigger.js';
export { DeltaTrigger, type DeltaFunction } from './api/windowing/triggers/DeltaTrigger.js';
export { type Evictor, type EvictorContext, TimestampedValue } from './api/windowing/evictors/Evictor.js';
export { CountEvictor } from './api/windowing/evictors/CountEvictor.js';
export { TimeEvictor } from './api/windowing/evictors/TimeEvictor.js';
export { DeltaEvictor } from './api/windowing/evictors/DeltaEvictor.js';
export {
  ProcessWindowFunction, ProcessAllWindowFunction,
  type ProcessWindowContext, type KeyedStateStore, type ProcessWindowFunctionLike, type ProcessAllWindowFunctionLike, type WindowFunction, type AllWindowFunction,
} from './api/windowing/functions/ProcessWindowFunction.js';

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
export { PartitionCommitter, partitionPaths, type PartitionPaths } from './schedule/PartitionCommitter.js';
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
