// Keys of the LevelDB backend. A key is a JS string of chars 0..255, one char per byte:
//   [key group: 2 BE][state id: 2 BE][canonical key bytes][user key bytes (map entries only)]
// LevelDB stores the string's UTF-8, which keeps byte order and prefix-freeness, so passing strings
// avoids a Buffer per access and a key group is still one contiguous range ([kg] .. [kg+1]).
// The canonical key bytes (util/KeyEncoding) are self-delimiting (tag + length/fixed size), so one
// key's entries never interleave with another's. Namespaces (windows) are the user key of a MapState
// (operators/windowing/NamespacedStateStore), i.e. the last component.
import { KeyEncoder } from '../../util/KeyEncoding.js';
import { murmur3 } from '../../util/MathUtils.js';

const TAG_STRING = 1, TAG_NUMBER = 2, TAG_BIGINT = 3, TAG_FALSE = 4, TAG_TRUE = 5, TAG_ARRAY = 6;
/** User keys of MapState that are objects: compared by their JSON (as the heap backend does). */
const TAG_JSON = 0x10;

export function u16(n: number): string { return String.fromCharCode(n >>> 8, n & 255); }

/** The first key of key group kg (the range of kg is [keyGroupStart(kg), keyGroupStart(kg + 1))). */
export function keyGroupStart(kg: number): string { return u16(kg); }

export function keyGroupOf(k: string): number { return (k.charCodeAt(0) << 8) | k.charCodeAt(1); }
export function stateIdOf(k: string): number { return (k.charCodeAt(2) << 8) | k.charCodeAt(3); }

function toChars(bytes: Uint8Array, len: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, len).toString('latin1');
}

/** Encodes keys of the keyed stream: their canonical bytes as chars, and their key group. */
export class CurrentKeyEncoder {
  private readonly enc = new KeyEncoder();
  chars = '';
  keyGroup = 0;
  constructor(private readonly maxParallelism: number) {}
  /** Same key group as assignToKeyGroup (murmur3 of the same bytes). */
  set(key: unknown): void {
    const len = this.enc.encode(key);
    const b = this.enc.bytes;
    this.keyGroup = murmur3(b, len) % this.maxParallelism;
    this.chars = toChars(b, len);
  }
}

/**
 * The key as the write-back cache's key of a state's own entry (WriteBackStore spaces), or
 * undefined when the entry goes by its LevelDB key. Numbers (-0 is 0, as in the encoding) and
 * strings without surrogates or U+FFFD, whose encoding decodes to the same string (lone surrogates
 * encode as U+FFFD), so a LevelDB key maps back to the same cache key.
 */
export function directKeyOf(key: unknown): unknown {
  if (typeof key === 'number') return key === 0 ? 0 : key;
  if (typeof key === 'string' && !NOT_DIRECT.test(key)) return key;
  return undefined;
}
const NOT_DIRECT = /[\uD800-\uDFFF\uFFFD]/;

const userKeyEncoder = new KeyEncoder();
const utf8 = new TextEncoder();

/** Bytes of a MapState user key: canonical bytes for keys, tagged JSON for objects. */
export function userKeyChars(k: unknown): string {
  if (k === null || k === undefined) throw new TypeError('MapState: null/undefined keys are not allowed.');
  if (typeof k === 'object' && !Array.isArray(k)) {
    const b = utf8.encode(JSON.stringify(k));
    return String.fromCharCode(TAG_JSON) + toChars(b, b.length);
  }
  const len = userKeyEncoder.encode(k);
  return toChars(userKeyEncoder.bytes, len);
}

/** Decodes the canonical key starting at `at` in `s`; returns the key and the offset after it. */
export function decodeKey(s: string, at: number): { key: unknown; end: number } {
  const tag = s.charCodeAt(at);
  switch (tag) {
    case TAG_STRING: case TAG_BIGINT: {
      const n = readU32(s, at + 1);
      const text = Buffer.from(s.slice(at + 5, at + 5 + n), 'latin1').toString('utf8');
      return { key: tag === TAG_STRING ? text : text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`), end: at + 5 + n };
    }
    case TAG_NUMBER: {
      const b = Buffer.from(s.slice(at + 1, at + 9), 'latin1');
      return { key: b.readDoubleBE(0), end: at + 9 };
    }
    case TAG_FALSE: return { key: false, end: at + 1 };
    case TAG_TRUE: return { key: true, end: at + 1 };
    case TAG_ARRAY: {
      const n = readU32(s, at + 1);
      const out: unknown[] = new Array(n);
      let p = at + 5;
      for (let i = 0; i < n; i++) { const d = decodeKey(s, p); out[i] = d.key; p = d.end; }
      return { key: out, end: p };
    }
    default:
      throw new Error(`LevelDB state key is corrupt: unknown key tag ${tag} at offset ${at}.`);
  }
}

function readU32(s: string, at: number): number {
  return ((s.charCodeAt(at) << 24) >>> 0) + (s.charCodeAt(at + 1) << 16) + (s.charCodeAt(at + 2) << 8) + s.charCodeAt(at + 3);
}
