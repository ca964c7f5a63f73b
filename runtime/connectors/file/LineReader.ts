import type { Readable } from 'node:stream';

const NL = 0x0a;

/** The byte range of a file that a line-based format reads (see StreamFormat.read). */
export interface LineSplit { path: string; start: number; end: number; openedAt: number }

/**
 * Splits a split's bytes into UTF-8 lines, shared by every line-based format (TextLineFormat,
 * CsvFormat, JsonLinesFormat). A line belongs to the split in which it starts: a split other than
 * the first was opened at start-1 and skips through the first newline, and the last line is read
 * past `end` to its newline (Hadoop's TextInputFormat rule). '\r\n' endings lose the '\r'.
 *
 * `onLine` is synchronous and gets the line's absolute byte offset (for error messages);
 * `flush` is awaited every `batchLines` lines and once at the end, so formats emit whole batches
 * and never create a promise per record.
 */
export async function readSplitLines(stream: Readable, split: LineSplit, onLine: (line: string, offset: number) => void,
  flush: () => Promise<void>, batchLines = 1024): Promise<void> {
  let pos = split.openedAt; // absolute offset of carry[0] / buf[0]
  let carry: Buffer = Buffer.alloc(0);
  let skipping = split.start > 0; // opened at start-1: drop through the first newline
  let done = false;
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
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
        onLine(buf.toString('utf8', lineStart, stop), pos + lineStart);
        lineStart = nl + 1;
        if (++n >= batchLines) { n = 0; await flush(); }
      }
      if (done) break;
      pos += lineStart;
      carry = buf.subarray(lineStart);
    }
    if (!done && !skipping && carry.length > 0 && pos < split.end) {
      const stop = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
      onLine(carry.toString('utf8', 0, stop), pos);
    }
    await flush();
  } finally {
    stream.destroy();
  }
}

/**
 * 1-based line number of the line starting at byte `offset` (counts newlines before it). Only
 * used on error paths of splits that do not start at the file's beginning, so reading the
 * prefix again is acceptable there.
 */
export async function lineNumberAt(path: string, offset: number, open: (path: string, opts: { offset: number; length: number }) => Promise<Readable>): Promise<number> {
  if (offset <= 0) return 1;
  const s = await open(path, { offset: 0, length: offset });
  let lines = 1;
  try {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, i + 1)) lines++;
    }
  } finally { s.destroy(); }
  return lines;
}
