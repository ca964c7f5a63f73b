import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { Sink, SinkWriter, WriterInitContext } from '../../api/connector/Sink.js';
import { formatRecord } from '../file/SimpleStringEncoder.js';

/**
 * stdout (or stderr), one line per record, `prefix:subtask> ` before it when parallelism > 1
 * (Flink's PrintSink format). Lines are gathered and written once per batch of input.
 */
export class PrintSink<T> implements Sink<T> {
  readonly name = 'Print to Std. Out';
  constructor(private readonly prefix?: string, private readonly stdErr = false) {}
  createWriter(ctx: WriterInitContext): SinkWriter<T> {
    const ti = ctx.getTaskInfo();
    const sub = ti.numberOfParallelSubtasks > 1 ? String(ti.indexOfThisSubtask + 1) : '';
    const head = this.prefix !== undefined && this.prefix !== '' ? (sub ? `${this.prefix}:${sub}> ` : `${this.prefix}> `) : (sub ? `${sub}> ` : '');
    return new PrintSinkWriter<T>(head, this.stdErr ? 2 : 1);
  }
}

class PrintSinkWriter<T> implements SinkWriter<T> {
  private pending = '';
  private scheduled = false;
  constructor(private readonly head: string, private readonly fd: 1 | 2) {}
  write(element: T): void {
    this.pending += this.head + formatRecord(element) + '\n';
    if (this.pending.length > 65536) this.flushNow();
    else if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flushNow()); }
  }
  private flushNow(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const s = this.pending;
    this.pending = '';
    // Workers write straight to the fd: their process.stdout is forwarded asynchronously and can lose the tail at exit.
    if (isMainThread) (this.fd === 1 ? process.stdout : process.stderr).write(s);
    else writeSync(this.fd, s);
  }
  flush(): void { this.flushNow(); }
  close(): void { this.flushNow(); }
}
