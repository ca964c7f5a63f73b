import type { Readable } from 'node:stream';
import type { StreamFormat } from './StreamFormat.js';
import { readSplitLines } from './LineReader.js';

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
    let batch: string[] = [];
    await readSplitLines(stream, split, (line) => { batch.push(line); }, async () => {
      if (batch.length === 0) return;
      const b = batch;
      batch = [];
      await emit(b);
    }, BATCH);
  }
}
