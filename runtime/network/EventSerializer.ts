// In-band events in network buffers of their own (Flink's EventSerializer).
import { Unpackr } from 'msgpackr';
import { Packr } from './Packr.js';
import { HEADER_SIZE, KIND_EVENT, type NetworkBuffer } from './NetworkBuffer.js';
import type { StreamEvent } from './StreamEvent.js';

// Events are rare and tiny: plain msgpack (no record structures) in a buffer of their own.
const eventPackr = new Packr({ useRecords: false });
const eventUnpackr = new Unpackr({ useRecords: false });

export function serializeEvent(event: StreamEvent): NetworkBuffer {
  const body = eventPackr.pack(event);
  const ab = new ArrayBuffer(HEADER_SIZE + body.length);
  const buf = new Uint8Array(ab);
  buf.set(body, HEADER_SIZE);
  buf[0] = KIND_EVENT;
  new DataView(ab).setUint32(8, HEADER_SIZE + body.length, true);
  return { buffer: ab, length: ab.byteLength, isEvent: true };
}

export function deserializeEvent(ab: ArrayBuffer, length: number): StreamEvent {
  return eventUnpackr.unpack(Buffer.from(ab, HEADER_SIZE, length - HEADER_SIZE)) as StreamEvent;
}
