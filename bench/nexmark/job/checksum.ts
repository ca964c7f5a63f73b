// Order-independent result checksums, computed the same way by the Java peer (flink-peer's Checksum.java):
// each output record is hashed (FNV-1a over 32-bit words), and the job sums the hashes mod 2^32.

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

export class RecordHash {
  private h = FNV_OFFSET;
  /** A non-negative integer below 2^53 as its low and high 32-bit words (Java: (int) x, (int) (x >>> 32)). */
  long(x: number): this {
    const lo = x % 0x100000000;
    this.h = Math.imul(this.h ^ (lo | 0), FNV_PRIME);
    this.h = Math.imul(this.h ^ ((x - lo) / 0x100000000 | 0), FNV_PRIME);
    return this;
  }
  /** Every UTF-16 code unit (Java's String.charAt). */
  str(s: string): this {
    let h = Math.imul(this.h ^ s.length, FNV_PRIME);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    this.h = h;
    return this;
  }
  /** Unsigned 32-bit result; starts the next record. */
  done(): number { const h = this.h >>> 0; this.h = FNV_OFFSET; return h; }
}

/** Sum of per-record hashes as the unsigned 32-bit value both engines print. */
export function foldChecksum(sum: number): number { return ((sum % 0x100000000) + 0x100000000) % 0x100000000; }
