// Spill files of the BATCH keyed input (the spilling part of Flink's ExternalSorter): each run holds
// key groups sorted by canonical key bytes, one frame per key: [u32 length][msgpack [key bytes, values
// and timestamps of input 1, of input 2]]. Runs are read back sequentially and merged by key.
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from '../../network/Packr.js';

/** One key's records of one run. */
export interface KeyGroupFrame {
  key: Uint8Array;
  v1: unknown[]; t1: Array<number | undefined>;
  v2: unknown[]; t2: Array<number | undefined>;
}

const WRITE_CHUNK = 1 << 20;
const READ_CHUNK = 1 << 20;

/** The spill directory of one sorted input: created on the first spill, removed with its files by close(). */
export class SortedRunFiles {
  private dir: string | null = null;
  private seq = 0;
  private readonly packr = new Packr({ useRecords: false });
  private readonly runs: string[] = [];

  constructor(private readonly tmpDirs: readonly string[], private readonly owner: string) {}

  get numRuns(): number { return this.runs.length; }

  /** Writes one run (frames already in key order). */
  writeRun(frames: Iterable<KeyGroupFrame>): void {
    const path = join(this.directory(), `run-${++this.seq}`);
    const fd = openSync(path, 'w', 0o600);
    try {
      let buf = Buffer.allocUnsafe(WRITE_CHUNK);
      let pos = 0;
      for (const f of frames) {
        let body: Buffer;
        try {
          body = this.packr.pack([f.key, f.v1, f.t1, f.v2, f.t2]);
        } catch (e) {
          throw new Error(`${this.owner}: cannot spill its sorted input to ${path}: records must be plain data (${(e as Error).message})`, { cause: e });
        }
        if (pos + 4 + body.length > buf.length) {
          if (pos > 0) { writeSync(fd, buf, 0, pos); pos = 0; }
          if (4 + body.length > buf.length) buf = Buffer.allocUnsafe(4 + body.length);
        }
        buf.writeUInt32LE(body.length, pos);
        body.copy(buf, pos + 4);
        pos += 4 + body.length;
      }
      if (pos > 0) writeSync(fd, buf, 0, pos);
    } finally {
      closeSync(fd);
    }
    this.runs.push(path);
  }

  /** Readers of every run, in spill order (for a stable merge: equal keys come in run order). */
  readers(): RunReader[] { return this.runs.map((p) => new RunReader(p, this.packr)); }

  close(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.runs.length = 0;
  }

  private directory(): string {
    if (this.dir === null) {
      const base = this.tmpDirs[Math.floor(Math.random() * this.tmpDirs.length)]!;
      const dir = join(base, `tsflink-sort-${randomUUID()}`);
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        throw new Error(`${this.owner}: cannot create a spill directory under ${base} (io.tmp.dirs): ${(e as Error).message}`, { cause: e });
      }
      this.dir = dir;
    }
    return this.dir;
  }
}

/** Reads one run's frames in order, a chunk at a time. */
export class RunReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(READ_CHUNK);
  private start = 0;
  private end = 0;
  private eof = false;
  /** The next frame, or null at the end of the run. */
  head: KeyGroupFrame | null = null;

  constructor(private readonly path: string, private readonly packr: InstanceType<typeof Packr>) {
    this.fd = openSync(path, 'r');
    this.advance();
  }

  advance(): void {
    if (!this.ensure(4)) { this.finish(); return; }
    const len = this.buf.readUInt32LE(this.start);
    if (!this.ensure(4 + len)) throw new Error(`spill file ${this.path} ends inside a frame (truncated?)`);
    const [key, v1, t1, v2, t2] = this.packr.unpack(this.buf.subarray(this.start + 4, this.start + 4 + len)) as [Uint8Array, unknown[], Array<number | undefined>, unknown[], Array<number | undefined>];
    this.start += 4 + len;
    this.head = { key, v1, t1, v2, t2 };
  }

  private ensure(n: number): boolean {
    while (this.end - this.start < n) {
      if (this.eof) return false;
      if (this.start > 0) { this.buf.copy(this.buf, 0, this.start, this.end); this.end -= this.start; this.start = 0; }
      if (n > this.buf.length) { const b = Buffer.allocUnsafe(n); this.buf.copy(b, 0, 0, this.end); this.buf = b; }
      const r = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (r === 0) this.eof = true;
      this.end += r;
    }
    return true;
  }

  private finish(): void {
    this.head = null;
    closeSync(this.fd);
  }

  close(): void { if (this.head !== null) this.finish(); }
}
