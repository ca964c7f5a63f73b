/**
 * Two different variable-length integer encodings meet in Hadoop:
 * - protobuf base-128 varints (length prefixes of delimited messages in IPC frames);
 * - Hadoop WritableUtils "vints" (credentials files, Writable token identifiers).
 */

/** Encodes a non-negative integer as a protobuf varint. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Decodes a protobuf varint at `offset`; returns the value and the offset after it. */
export function decodeVarint(buf: Uint8Array, offset: number): { value: number; next: number } {
  let result = 0;
  let mul = 1;
  let pos = offset;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RangeError('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return { value: result, next: pos };
    mul *= 0x80;
  }
  throw new RangeError('varint too long');
}

/** Hadoop WritableUtils.writeVLong: one byte for -112..127, else a length/sign marker byte then big-endian bytes. */
export function encodeWritableVLong(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v >= -112n && v <= 127n) return Uint8Array.of(Number(BigInt.asUintN(8, v)));
  let len = -112;
  if (v < 0n) {
    v = ~v; // one's complement, as in Java (i ^= -1L)
    len = -120;
  }
  let tmp = v;
  while (tmp !== 0n) {
    tmp >>= 8n;
    len--;
  }
  const n = len < -120 ? -(len + 120) : -(len + 112);
  const out = new Uint8Array(1 + n);
  out[0] = len & 0xff;
  for (let i = 0; i < n; i++) out[1 + i] = Number((v >> BigInt(8 * (n - 1 - i))) & 0xffn);
  return out;
}

/** Hadoop WritableUtils.readVLong. Returns a number (values used here are lengths and counts). */
export function decodeWritableVLong(buf: Uint8Array, offset: number): { value: number; next: number } {
  if (offset >= buf.length) throw new RangeError('truncated vint');
  const first = (buf[offset]! << 24) >> 24; // signed byte
  if (first >= -112) return { value: first, next: offset + 1 };
  const negative = first < -120;
  const n = negative ? -(first + 120) : -(first + 112);
  if (offset + 1 + n > buf.length) throw new RangeError('truncated vint');
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(buf[offset + 1 + i]!);
  if (negative) v = ~v;
  return { value: Number(v), next: offset + 1 + n };
}
