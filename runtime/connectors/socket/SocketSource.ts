import { Socket } from 'node:net';
import type { Source, SourceReaderContext, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { FetchingSourceReader } from '../source/FetchingSourceReader.js';
import { StaticSplitEnumerator } from '../source/IteratorSourceReader.js';

interface SocketSplit { splitId: string; host: string; port: number }

/** Lines (by delimiter) from a TCP server; ends when the server closes the connection. */
export class SocketSource implements Source<string, SocketSplit, SocketSplit[]> {
  readonly name = 'SocketSource';
  constructor(readonly host: string, readonly port: number, readonly delimiter = '\n') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`socketTextStream: port must be 1..65535, got ${port}.`);
  }
  getBoundedness(): Boundedness { return 'CONTINUOUS_UNBOUNDED'; }
  createReader(ctx: SourceReaderContext): SocketReader { return new SocketReader(ctx, this.delimiter); }
  createEnumerator(ctx: SplitEnumeratorContext<SocketSplit>): StaticSplitEnumerator<SocketSplit> {
    return new StaticSplitEnumerator(ctx, [{ splitId: '0', host: this.host, port: this.port }]);
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<SocketSplit>, cp: SocketSplit[]): StaticSplitEnumerator<SocketSplit> { return new StaticSplitEnumerator(ctx, [...cp]); }
}

class SocketReader extends FetchingSourceReader<string, SocketSplit> {
  constructor(ctx: SourceReaderContext, private readonly delimiter: string) { super(ctx); }
  protected readSplit(split: SocketSplit, emit: (batch: string[]) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = new Socket();
      let carry = '';
      let chain = Promise.resolve();
      sock.setEncoding('utf8');
      sock.on('data', (data: string) => {
        const parts = (carry + data).split(this.delimiter);
        carry = parts.pop() ?? '';
        if (parts.length === 0) return;
        // Stop reading while the batch is handed over, so a slow job backpressures the socket.
        sock.pause();
        chain = chain.then(() => emit(parts)).then(() => { sock.resume(); }, (e: unknown) => { sock.destroy(e as Error); });
      });
      sock.on('end', () => { void chain.then(() => (carry.length > 0 ? emit([carry]) : undefined)).then(() => resolve(), reject); });
      sock.on('error', (e) => reject(new Error(`socketTextStream: connection to ${split.host}:${split.port} failed: ${e.message}. Is a server listening there (e.g. 'nc -lk ${split.port}')?`)));
      sock.connect(split.port, split.host);
    });
  }
}
