import { describe, expect, it } from 'vitest';
import { F_ADD_CREDIT, F_BACKLOG, F_BUFFER, F_CANCEL, F_ERROR, F_HELLO, F_PARTITION_REQUEST, FrameDecoder, FrameWriter, type FrameSink } from './frames.js';

type Got = [string, ...unknown[]];

function sink(out: Got[]): FrameSink {
  return {
    allocate: (length) => new ArrayBuffer(length),
    onBuffer: (id, backlog, isEvent, buffer, length) => out.push(['buffer', id, backlog, isEvent, Buffer.from(buffer, 0, length).toString('hex')]),
    onFrame: (kind, id, body) => {
      switch (kind) {
        case F_PARTITION_REQUEST:
          out.push(['request', id, body.readUInt32BE(0), body.readInt32BE(4), body.readUInt32BE(8), body.readUInt8(12), body.toString('utf8', 13)]);
          break;
        case F_ADD_CREDIT:
          out.push(['credit', id, body.readInt32BE(0)]);
          break;
        case F_BACKLOG:
          out.push(['backlog', id, body.readUInt32BE(0)]);
          break;
        case F_CANCEL:
          out.push(['cancel', id, body.length]);
          break;
        default:
          out.push([kind === F_ERROR ? 'error' : kind === F_HELLO ? 'hello' : `kind ${kind}`, id, body.toString('utf8')]);
      }
    },
    onProtocolError: (m) => out.push(['protocol-error', m]),
  };
}

function encodeAll(): { bytes: Buffer; expected: Got[] } {
  const parts: Buffer[] = [];
  const w = new FrameWriter((d) => parts.push(Buffer.from(d))); // copy: the writer reuses nothing, but be strict
  w.text(F_HELLO, 0, 'tm-ä'); // queued before open()
  w.open();
  const big = new Uint8Array(100_000).map((_, i) => i * 7);
  const small = new Uint8Array([1, 2, 3]);
  w.partitionRequest(7, 3, 2, 11, 'partition-ü-1');
  w.partitionRequest(8, 0, 0, 1, 'finished-p', true);
  w.buffer(7, 5, false, big.buffer, big.length);
  w.buffer(8, 0, true, small.buffer, 3);
  w.buffer(9, 0, false, new ArrayBuffer(0), 0);
  w.addCredit(7, -1);
  w.backlog(7, 64);
  w.cancel(0xfffffffe);
  w.text(F_ERROR, 9, 'partition p was released: 💥');
  w.flush();
  return {
    bytes: Buffer.concat(parts),
    expected: [
      ['hello', 0, 'tm-ä'],
      ['request', 7, 3, 2, 11, 0, 'partition-ü-1'],
      ['request', 8, 0, 0, 1, 1, 'finished-p'],
      ['buffer', 7, 5, false, Buffer.from(big).toString('hex')],
      ['buffer', 8, 0, true, '010203'],
      ['buffer', 9, 0, false, ''],
      ['credit', 7, -1],
      ['backlog', 7, 64],
      ['cancel', 0xfffffffe, 0],
      ['error', 9, 'partition p was released: 💥'],
    ],
  };
}

describe('TCP frames', () => {
  it('round-trip in one chunk, byte by byte, and in random splits', () => {
    const { bytes, expected } = encodeAll();
    for (const split of ['whole', 'bytes', 'random'] as const) {
      const out: Got[] = [];
      const d = new FrameDecoder(sink(out));
      if (split === 'whole') d.push(bytes);
      else if (split === 'bytes') for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1));
      else {
        let seed = 42;
        for (let i = 0; i < bytes.length; ) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const n = 1 + (seed % 5000);
          d.push(bytes.subarray(i, i + n));
          i += n;
        }
      }
      expect(out, split).toEqual(expected);
      expect(d.bytesRead).toBe(bytes.length);
    }
  });

  it('frames queued before open() are written on open, in order', () => {
    const parts: Buffer[] = [];
    const w = new FrameWriter((d) => parts.push(Buffer.from(d)));
    for (let i = 0; i < 50_000; i++) w.addCredit(i, 1); // more than one chunk while not open
    expect(parts.length).toBe(0);
    w.open();
    const out: Got[] = [];
    new FrameDecoder(sink(out)).push(Buffer.concat(parts));
    expect(out.length).toBe(50_000);
    expect(out[49_999]).toEqual(['credit', 49_999, 1]);
  });

  it('garbage is a protocol error, not an allocation', () => {
    const out: Got[] = [];
    const d = new FrameDecoder(sink(out));
    d.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 1]));
    d.push(Buffer.alloc(100));
    expect(out).toEqual([['protocol-error', 'malformed frame (kind 3, length 4294967295)']]);
    const out2: Got[] = [];
    new FrameDecoder(sink(out2)).push(Buffer.from([0, 0, 0, 5, 99, 0, 0, 0, 1]));
    expect(out2[0]![0]).toBe('protocol-error');
  });
});
