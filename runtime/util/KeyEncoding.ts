/**
 * Canonical key bytes. Equal keys give equal bytes in every process and version, so
 * key groups (and savepoints) agree everywhere. Layout: a type tag, then the payload.
 */
export type KeyValue = string | number | bigint | boolean | readonly KeyValue[];

const TAG_STRING = 1, TAG_NUMBER = 2, TAG_BIGINT = 3, TAG_FALSE = 4, TAG_TRUE = 5, TAG_ARRAY = 6;

export class KeyEncoder {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** Encodes into an internal buffer and returns its length; bytes valid until the next call. */
  encode(key: unknown): number {
    this.pos = 0;
    this.write(key);
    return this.pos;
  }
  get bytes(): Uint8Array { return this.buf; }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private write(key: unknown): void {
    switch (typeof key) {
      case 'string': {
        this.ensure(1 + 5 + key.length * 3);
        this.buf[this.pos++] = TAG_STRING;
        // Short keys: encode UTF-8 in JS; the native encodeInto call costs more than the work for them.
        const written = key.length <= 64 ? utf8Into(key, this.buf, this.pos + 4) : encoder.encodeInto(key, this.buf.subarray(this.pos + 4)).written;
        this.view.setUint32(this.pos, written);
        this.pos += 4 + written;
        return;
      }
      case 'number':
        this.ensure(9);
        this.buf[this.pos++] = TAG_NUMBER;
        // -0 and 0 are the same key; all NaNs are one key.
        this.view.setFloat64(this.pos, key === 0 ? 0 : key);
        this.pos += 8;
        return;
      case 'bigint': {
        const s = key.toString(16);
        this.ensure(5 + s.length);
        this.buf[this.pos++] = TAG_BIGINT;
        const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos + 4));
        this.view.setUint32(this.pos, written);
        this.pos += 4 + written;
        return;
      }
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = key ? TAG_TRUE : TAG_FALSE;
        return;
      default:
        if (Array.isArray(key)) {
          this.ensure(5);
          this.buf[this.pos++] = TAG_ARRAY;
          this.view.setUint32(this.pos, key.length);
          this.pos += 4;
          for (let i = 0; i < key.length; i++) this.write(key[i]);
          return;
        }
        throw new InvalidKeyError(key);
    }
  }
}

const encoder = new TextEncoder();

/** UTF-8 of `s` into `buf` at `at` (room checked by the caller); lone surrogates become U+FFFD like TextEncoder. */
function utf8Into(s: string, buf: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { buf[p++] = c; continue; }
    if (c < 0x800) { buf[p++] = 0xc0 | (c >> 6); buf[p++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[p++] = 0xf0 | (c >> 18); buf[p++] = 0x80 | ((c >> 12) & 63); buf[p++] = 0x80 | ((c >> 6) & 63); buf[p++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd;
    }
    buf[p++] = 0xe0 | (c >> 12); buf[p++] = 0x80 | ((c >> 6) & 63); buf[p++] = 0x80 | (c & 63);
  }
  return p - at;
}

export class InvalidKeyError extends Error {
  constructor(key: unknown) {
    const what = key === null ? 'null' : key === undefined ? 'undefined' : typeof key === 'object' ? `an object (${(key as object).constructor?.name ?? 'Object'})` : typeof key;
    super(`Invalid key: ${what}. A key selector must return a string, number, bigint, boolean or an array of those ` +
      `(for several fields return a tuple, e.g. keyBy(r => [r.a, r.b])).`);
    this.name = 'InvalidKeyError';
  }
}

/**
 * A value usable as a JS Map key with the same equality as the canonical bytes:
 * primitives stand for themselves, arrays become a tagged string.
 */
export function keyToMapKey(key: unknown): string | number | bigint | boolean {
  switch (typeof key) {
    case 'string': case 'bigint': case 'boolean': return key;
    case 'number': return key === 0 ? 0 : key;
    default:
      if (Array.isArray(key)) return '\u0000' + arrayKeyString(key);
      throw new InvalidKeyError(key);
  }
}

function arrayKeyString(key: readonly unknown[]): string {
  let s = '[';
  for (let i = 0; i < key.length; i++) {
    const k = key[i];
    if (i > 0) s += ',';
    switch (typeof k) {
      case 'string': s += JSON.stringify(k); break;
      case 'number': s += 'n' + (k === 0 ? 0 : k); break;
      case 'bigint': s += 'b' + k.toString(); break;
      case 'boolean': s += k ? 't' : 'f'; break;
      default:
        if (Array.isArray(k)) { s += arrayKeyString(k); break; }
        throw new InvalidKeyError(k);
    }
  }
  return s + ']';
}
