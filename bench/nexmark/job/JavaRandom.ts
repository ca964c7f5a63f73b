// java.util.Random's 48-bit linear congruential generator, bit for bit (seed scrambling, next(bits),
// nextInt(), nextInt(bound) with its rejection loop, nextDouble), so the Java peer (flink-peer's
// JavaRandom.java, the same algorithm without the AtomicLong) draws the very same numbers. The 48-bit
// state lives in two 24-bit halves: every product stays below 2^53, exact in a double.

const TWO24 = 0x1000000;
const INV24 = 1 / TWO24;
const MULT_HI = 0x5de; // 0x5DEECE66D = MULT_HI * 2^24 + MULT_LO
const MULT_LO = 0xece66d;
const ADDEND = 0xb;

/** 2^-(48 - bits): the top `bits` bits of the 48-bit state. */
const SHIFT = Array.from({ length: 33 }, (_, bits) => 2 ** (bits - 48));

export class JavaRandom {
  private hi = 0;
  private lo = 0;

  constructor(seed = 0) { this.setSeed(seed); }

  /** Random.setSeed: (seed ^ 0x5DEECE66D) mod 2^48, for a non-negative safe integer seed. */
  setSeed(seed: number): void {
    const high = Math.floor(seed * INV24);
    const lo = seed - high * TWO24;
    const hi = high - Math.floor(high * INV24) * TWO24;
    this.lo = lo ^ MULT_LO;
    this.hi = hi ^ MULT_HI;
  }

  /** Random.next(bits): advances the LCG and returns its top `bits` bits as a signed 32-bit int. */
  next(bits: number): number {
    // Powers of two and floor only: a double `%` is a slow fmod call.
    const p = this.lo * MULT_LO + ADDEND;
    const carry = Math.floor(p * INV24);
    const lo = p - carry * TWO24;
    const q = this.hi * MULT_LO + this.lo * MULT_HI + carry;
    const hi = q - Math.floor(q * INV24) * TWO24;
    this.lo = lo;
    this.hi = hi;
    return Math.floor((hi * TWO24 + lo) * SHIFT[bits]!) | 0;
  }

  nextInt(): number { return this.next(32); }

  /** Random.nextInt(bound): uniform in [0, bound). */
  nextIntBounded(bound: number): number {
    if ((bound & -bound) === bound) return Math.floor((bound * this.next(31)) / 0x80000000);
    let bits: number, val: number;
    do {
      bits = this.next(31);
      val = bits % bound;
    } while (((bits - val + (bound - 1)) | 0) < 0);
    return val;
  }

  nextDouble(): number { return (this.next(26) * 0x8000000 + this.next(27)) / 2 ** 53; }
}
