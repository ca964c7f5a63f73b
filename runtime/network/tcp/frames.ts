// Wire format of the TCP data plane (after the ClusterSecret handshake). Every frame:
//
//   [u32 length of the rest][u8 kind][u32 stream id][body]            (big-endian, as Netty's LengthFieldBasedFrameDecoder)
//
//   PARTITION_REQUEST  body = u32 producer slot | i32 credit | u32 subpartition | u8 flags (1 = finished) | utf8 partition id
//   ADD_CREDIT         body = i32 credit
//   CANCEL             body = —
//   BUFFER             body = u32 backlog | u8 isEvent | raw buffer bytes (the network buffer as written by the producer)
//   ERROR              body = utf8 message
//   BACKLOG            body = u32 backlog
//   HELLO              body = utf8 TaskManager id (first frame in both directions, stream id 0)
//
// Stream ids are chosen by the side that sends PARTITION_REQUEST; consumer → producer kinds (request, credit,
// cancel) carry the sender's ids, producer → consumer kinds (buffer, error, backlog) the receiver's. So
// one connection carries streams in both directions without id clashes.
import { MSG_ADD_CREDIT, MSG_BACKLOG, MSG_BUFFER, MSG_CANCEL, MSG_ERROR, MSG_PARTITION_REQUEST } from '../NetworkMessage.js';

export const F_PARTITION_REQUEST = MSG_PARTITION_REQUEST;
export const F_ADD_CREDIT = MSG_ADD_CREDIT;
export const F_CANCEL = MSG_CANCEL;
export const F_BUFFER = MSG_BUFFER;
export const F_ERROR = MSG_ERROR;
export const F_BACKLOG = MSG_BACKLOG;
export const F_HELLO = 6;

const PREFIX = 9; // u32 length + u8 kind + u32 id
const BUFFER_SUBHEADER = 5; // u32 backlog + u8 isEvent
/** Refuse absurd frames (garbage on the wire) instead of allocating them. */
export const MAX_FRAME = 1 << 30;
const CHUNK = 256 * 1024;
/** Pending bytes that are written at once rather than at the end of the task (a data buffer's worth). */
const FLUSH_AT = 16 * 1024;

/**
 * Outgoing frames of one socket. Frames are appended to a chunk; a data buffer (≥ FLUSH_AT bytes pending) is
 * written at once, small frames (credits, backlog) are coalesced and written at the end of the current task
 * (microtask). Payloads are copied into the chunk — the one copy of the socket write — so the caller may hand
 * the source buffer back to its pool immediately. Written parts of a chunk are never overwritten: a full chunk
 * is replaced by a new one, the socket keeps the old one alive until written.
 */
export class FrameWriter {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  /** chunk[start, pos) is appended but not yet written. */
  private start = 0;
  private pos = 0;
  private scheduled = false;
  /** Frames are kept (not written) until open() — during connect + handshake. */
  private opened = false;
  private closed = false;
  bytesWritten = 0;

  constructor(private readonly write: (data: Buffer) => void) {}

  open(): void {
    this.opened = true;
    this.flush();
  }

  close(): void {
    this.closed = true;
  }

  private ensure(n: number): void {
    if (this.closed) this.start = this.pos = 0; // the socket is gone: frames are dropped
    if (this.pos + n <= this.chunk.length) return;
    if (this.opened) {
      this.flush();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, n));
      this.start = this.pos = 0;
      return;
    }
    // Not writable yet (handshake pending): grow, keeping what is queued.
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.chunk.length, this.pos + n));
    this.chunk.copy(bigger, 0, this.start, this.pos);
    this.pos -= this.start;
    this.start = 0;
    this.chunk = bigger;
  }

  private readonly onMicrotask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes what is pending now. */
  flush(): void {
    if (this.pos === this.start || this.closed || !this.opened) return;
    const data = this.chunk.subarray(this.start, this.pos);
    this.bytesWritten += this.pos - this.start;
    this.start = this.pos;
    this.write(data);
  }

  private done(): void {
    if (!this.opened) return;
    if (this.pos - this.start >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.onMicrotask);
    }
  }

  private header(kind: number, id: number, bodyLen: number): number {
    this.ensure(PREFIX + bodyLen);
    const c = this.chunk;
    let p = this.pos;
    c.writeUInt32BE(bodyLen + 5, p);
    c[p + 4] = kind;
    c.writeUInt32BE(id >>> 0, p + 5);
    p += PREFIX;
    this.pos = p + bodyLen;
    return p;
  }

  partitionRequest(id: number, slotIndex: number, credit: number, subpartition: number, partitionId: string, finished = false): void {
    const len = Buffer.byteLength(partitionId);
    const p = this.header(F_PARTITION_REQUEST, id, 13 + len);
    const c = this.chunk;
    c.writeUInt32BE(slotIndex, p);
    c.writeInt32BE(credit, p + 4);
    c.writeUInt32BE(subpartition, p + 8);
    c.writeUInt8(finished ? 1 : 0, p + 12);
    c.write(partitionId, p + 13, len, 'utf8');
    this.done();
  }

  addCredit(id: number, credit: number): void {
    const p = this.header(F_ADD_CREDIT, id, 4);
    this.chunk.writeInt32BE(credit, p);
    this.done();
  }

  cancel(id: number): void {
    this.header(F_CANCEL, id, 0);
    this.done();
  }

  buffer(id: number, backlog: number, isEvent: boolean, data: ArrayBuffer, length: number): void {
    const p = this.header(F_BUFFER, id, BUFFER_SUBHEADER + length);
    const c = this.chunk;
    c.writeUInt32BE(backlog, p);
    c[p + 4] = isEvent ? 1 : 0;
    c.set(new Uint8Array(data, 0, length), p + BUFFER_SUBHEADER);
    this.done();
  }

  backlog(id: number, backlog: number): void {
    const p = this.header(F_BACKLOG, id, 4);
    this.chunk.writeUInt32BE(backlog, p);
    this.done();
  }

  text(kind: typeof F_ERROR | typeof F_HELLO, id: number, s: string): void {
    const len = Buffer.byteLength(s);
    const p = this.header(kind, id, len);
    this.chunk.write(s, p, len, 'utf8');
    this.done();
  }
}

/** What a FrameDecoder delivers to. */
export interface FrameSink {
  /** Destination for a BUFFER payload of `length` bytes (an ArrayBuffer of at least that size). */
  allocate(length: number, isEvent: boolean): ArrayBuffer;
  onBuffer(id: number, backlog: number, isEvent: boolean, buffer: ArrayBuffer, length: number): void;
  /** Any other frame; `body` is only valid during the call. */
  onFrame(kind: number, id: number, body: Buffer): void;
  onProtocolError(message: string): void;
}

const S_PREFIX = 0;
const S_BUFHDR = 1;
const S_PAYLOAD = 2;
const S_BODY = 3;

/**
 * Incremental frame parser over socket chunks. A BUFFER payload is copied straight from the socket chunks
 * into its destination ArrayBuffer (the one copy of the socket read); no intermediate concatenation.
 */
export class FrameDecoder {
  private state = S_PREFIX;
  private readonly hdr = Buffer.alloc(PREFIX + BUFFER_SUBHEADER);
  private hdrHave = 0;
  private need = PREFIX;
  private kind = 0;
  private id = 0;
  private backlogV = 0;
  private isEvent = false;
  private dest: Uint8Array | null = null;
  private destBuf: ArrayBuffer | null = null;
  private destLen = 0;
  private body: Buffer | null = null;
  private have = 0;
  private failed = false;
  bytesRead = 0;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.bytesRead += chunk.length;
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      switch (this.state) {
        case S_PREFIX:
        case S_BUFHDR: {
          const take = Math.min(this.need - this.hdrHave, n - off);
          chunk.copy(this.hdr, this.hdrHave, off, off + take);
          this.hdrHave += take;
          off += take;
          if (this.hdrHave < this.need) return;
          if (this.state === S_PREFIX) this.onPrefix();
          else this.onBufferHeader();
          if (this.failed) return;
          break;
        }
        case S_PAYLOAD: {
          const take = Math.min(this.destLen - this.have, n - off);
          this.dest!.set(chunk.subarray(off, off + take), this.have);
          this.have += take;
          off += take;
          if (this.have === this.destLen) this.finishPayload();
          break;
        }
        case S_BODY: {
          const bodyLen = this.body!.length;
          if (this.have === 0 && n - off >= bodyLen) {
            // whole body in this chunk: no copy
            const body = chunk.subarray(off, off + bodyLen);
            off += bodyLen;
            this.body = null;
            this.reset();
            this.sink.onFrame(this.kind, this.id, body);
            break;
          }
          const take = Math.min(bodyLen - this.have, n - off);
          chunk.copy(this.body!, this.have, off, off + take);
          this.have += take;
          off += take;
          if (this.have === bodyLen) {
            const body = this.body!;
            this.body = null;
            this.reset();
            this.sink.onFrame(this.kind, this.id, body);
          }
          break;
        }
      }
      if (this.failed) return;
    }
  }

  private reset(): void {
    this.state = S_PREFIX;
    this.need = PREFIX;
    this.hdrHave = 0;
    this.have = 0;
  }

  private fail(message: string): void {
    this.failed = true;
    this.sink.onProtocolError(message);
  }

  private onPrefix(): void {
    const len = this.hdr.readUInt32BE(0);
    this.kind = this.hdr[4]!;
    this.id = this.hdr.readUInt32BE(5);
    if (len < 5 || len > MAX_FRAME || this.kind > F_HELLO) {
      this.fail(`malformed frame (kind ${this.kind}, length ${len})`);
      return;
    }
    const bodyLen = len - 5;
    if (this.kind === F_BUFFER) {
      if (bodyLen < BUFFER_SUBHEADER) return this.fail(`malformed BUFFER frame (length ${len})`);
      this.destLen = bodyLen - BUFFER_SUBHEADER;
      this.state = S_BUFHDR;
      this.need = PREFIX + BUFFER_SUBHEADER;
      return;
    }
    if (bodyLen === 0) {
      this.reset();
      this.sink.onFrame(this.kind, this.id, EMPTY);
      return;
    }
    this.state = S_BODY;
    this.body = Buffer.allocUnsafe(bodyLen);
    this.have = 0;
  }

  private onBufferHeader(): void {
    this.backlogV = this.hdr.readUInt32BE(PREFIX);
    this.isEvent = this.hdr[PREFIX + 4] === 1;
    const ab = this.sink.allocate(this.destLen, this.isEvent);
    this.destBuf = ab;
    this.dest = new Uint8Array(ab, 0, this.destLen);
    this.have = 0;
    this.state = S_PAYLOAD;
    if (this.destLen === 0) this.finishPayload();
  }

  private finishPayload(): void {
    const ab = this.destBuf!;
    this.dest = null;
    this.destBuf = null;
    this.reset();
    this.sink.onBuffer(this.id, this.backlogV, this.isEvent, ab, this.destLen);
  }
}

const EMPTY = Buffer.alloc(0);
