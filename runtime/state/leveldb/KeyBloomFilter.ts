// A JS-side Bloom filter of every key ever written to one LevelDB instance. A read of a key that
// was never written (the first access of every new key, e.g. a count over fresh keys) is answered
// from it instead of a getSync, which costs a native call and LevelDB's table lookups (~2 µs).
// Fixed size: past a few million keys it says "maybe" more often and reads simply go to LevelDB.
const BITS = 1 << 24; // 2 MiB
const MASK = BITS - 1;

export class KeyBloomFilter {
  private readonly bits = new Uint32Array(BITS >>> 5);

  add(k: string): void {
    let h1 = 0x811c9dc5, h2 = 0x9747b28c;
    for (let i = 0; i < k.length; i++) { const c = k.charCodeAt(i); h1 = Math.imul(h1 ^ c, 0x01000193); h2 = Math.imul(h2 ^ c, 0x5bd1e995); }
    h2 |= 1;
    for (let j = 0; j < 3; j++) { const b = (h1 + Math.imul(j, h2)) & MASK; this.bits[b >>> 5]! |= 1 << (b & 31); }
  }

  /** false: the key was certainly never added. */
  mightContain(k: string): boolean {
    let h1 = 0x811c9dc5, h2 = 0x9747b28c;
    for (let i = 0; i < k.length; i++) { const c = k.charCodeAt(i); h1 = Math.imul(h1 ^ c, 0x01000193); h2 = Math.imul(h2 ^ c, 0x5bd1e995); }
    h2 |= 1;
    for (let j = 0; j < 3; j++) { const b = (h1 + Math.imul(j, h2)) & MASK; if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false; }
    return true;
  }
}
