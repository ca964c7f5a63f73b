import type { Sink, SinkWriter } from '../../api/connector/Sink.js';

/** Drops every record (benchmarks, side-effect-only pipelines). */
export class DiscardingSink<T> implements Sink<T> {
  readonly name = 'DiscardingSink';
  createWriter(): SinkWriter<T> { return { write() {}, flush() {}, close() {} }; }
}
