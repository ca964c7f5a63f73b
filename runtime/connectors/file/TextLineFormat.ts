import type { Readable } from 'node:stream';
import type { StreamFormat } from './StreamFormat.js';

const NL = 0x0a;
const BATCH = 1024;

/**
 * Lines of UTF-8 text. A line belongs to the split in which it starts: a split other than the
 * first skips up to the first newline at or after start-1, and reads past `end` to finish its
 * last line (Hadoop's TextInputFormat rule). '\r\n' endings lose the '\r'.
 */
export class TextLineFormat implements StreamFormat<string> {
  readonly splittable = true;
  constructor(readonly charset: 'utf-8' | 'utf8' = 'utf-8') {}

  async read(stream: Readable, split: { path: string; start: number; end: number; openedAt: number }, emit: (batch: string[]) => Promise<void>): Promise<void> {
    let pos = split.openedAt; // absolute offset of carry[0]
    let carry: Buffer = Buffer.alloc(0);
    let skipping = split.start > 0; // opened at start-1: drop through the first newline
    let batch: string[] = [];
    let done = false;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let lineStart = 0;
      if (skipping) {
        const nl = buf.indexOf(NL);
        if (nl < 0) { pos += buf.length; carry = Buffer.alloc(0); continue; }
        lineStart = nl + 1;
        skipping = false;
      }
      for (;;) {
        if (pos + lineStart >= split.end) { done = true; break; }
        const nl = buf.indexOf(NL, lineStart);
        if (nl < 0) break;
        const stop = nl > lineStart && buf[nl - 1] === 0x0d ? nl - 1 : nl;
        batch.push(buf.toString('utf8', lineStart, stop));
        lineStart = nl + 1;
        if (batch.length >= BATCH) { await emit(batch); batch = []; }
      }
      if (done) break;
      pos += lineStart;
      carry = buf.subarray(lineStart);
      buf = carry;
    }
    if (!done && !skipping && carry.length > 0 && pos < split.end) {
      const stop = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
      batch.push(carry.toString('utf8', 0, stop));
    }
    if (batch.length > 0) await emit(batch);
    stream.destroy();
  }
}
