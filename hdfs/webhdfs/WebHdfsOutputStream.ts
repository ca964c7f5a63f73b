// Writable over one chunked HTTP upload to a DataNode (step 2 of CREATE/APPEND).
import type http from 'node:http';
import { Writable } from 'node:stream';
import { FileSystemError } from '../errors.js';
import { errCode, remoteError } from './errors.js';

/** Writable over one chunked HTTP upload to a DataNode; 'finish' waits for the DataNode's 200/201. */
export class WebHdfsOutputStream extends Writable {
  private response: Promise<void>;
  private failure: Error | undefined;

  constructor(private readonly req: http.ClientRequest, private readonly p: string, private readonly what: string) {
    super({ highWaterMark: 1 << 20 });
    this.response = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(this.netError(e)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(remoteError(status, Buffer.concat(chunks).toString('utf8'), this.p, this.what));
        });
      });
      req.on('error', (e) => {
        // The DataNode may answer with an error and then reset; give that answer a moment to arrive.
        setTimeout(() => reject(this.netError(e)), 50);
      });
    });
    // An early answer (e.g. permission denied) fails the stream right away instead of at end().
    this.response.then(
      () => undefined,
      (e: Error) => {
        this.failure = e;
        if (!this.writableFinished) this.destroy(e);
      },
    );
  }

  private netError(e: unknown): FileSystemError {
    return new FileSystemError(`${this.what} ${this.p}: DataNode connection failed: ${(e as Error)?.message ?? String(e)}`, this.p, { cause: e, code: errCode(e) });
  }

  private send(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.failure) return cb(this.failure);
    if (this.req.write(chunk)) return cb();
    const onDrain = () => {
      this.req.off('close', onClose);
      cb();
    };
    const onClose = () => {
      this.req.off('drain', onDrain);
      cb(this.failure ?? new FileSystemError(`${this.what} ${this.p}: DataNode closed the connection`, this.p));
    };
    this.req.once('drain', onDrain);
    this.req.once('close', onClose);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.send(chunk, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.req.end();
    this.response.then(() => cb(), (e: Error) => cb(e));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.writableFinished) this.req.destroy();
    cb(err);
  }
}
