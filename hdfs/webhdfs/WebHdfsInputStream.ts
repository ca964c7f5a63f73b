// Readable over a DataNode read (step 2 of OPEN) that resumes on another replica after a failure.
import type http from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNetworkError } from './errors.js';

/**
 * A DataNode read as a Readable: chunks are pushed as they arrive (no per-chunk promises), the
 * response is paused while the reader is behind (backpressure), and a DataNode that dies
 * mid-stream is replaced by another replica from the current offset (through the NameNode).
 */
export class WebHdfsInputStream extends Readable {
  private res: http.IncomingMessage | null = null;
  private failures = 0;

  constructor(
    first: http.IncomingMessage,
    private pos: number,
    private readonly opts: {
      maxAttempts: number;
      backoff: (attempt: number) => number;
      reopen: (offset: number) => Promise<http.IncomingMessage>;
      fail: (e: unknown, offset: number) => Error;
    },
  ) {
    super({ highWaterMark: 1 << 20 });
    this.attach(first);
  }

  private attach(res: http.IncomingMessage): void {
    this.res = res;
    res.on('data', (c: Buffer) => {
      this.pos += c.length;
      if (!this.push(c)) res.pause();
    });
    res.on('end', () => {
      if (this.res !== res) return;
      // A connection closed before the whole body arrived is a failure, not the end of the file.
      if (!res.complete) this.onFailure(res, Object.assign(new Error('DataNode connection closed mid-stream'), { code: 'ECONNRESET' }));
      else this.push(null);
    });
    res.on('error', (e) => this.onFailure(res, e));
  }

  private onFailure(res: http.IncomingMessage, e: unknown): void {
    if (this.res !== res || this.destroyed) return;
    this.res = null;
    res.destroy();
    if (!isNetworkError(e) || ++this.failures >= this.opts.maxAttempts) {
      this.destroy(this.opts.fail(e, this.pos));
      return;
    }
    // Resume at the current offset from another replica.
    void sleep(this.opts.backoff(this.failures))
      .then(() => this.opts.reopen(this.pos))
      .then(
        (next) => {
          if (this.destroyed) next.destroy();
          else this.attach(next);
        },
        (err: unknown) => this.destroy(this.opts.fail(err, this.pos)),
      );
  }

  override _read(): void {
    this.res?.resume();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    // An early close must release the DataNode connection.
    if (this.res !== null && !this.res.complete) this.res.destroy();
    this.res = null;
    cb(err);
  }
}
