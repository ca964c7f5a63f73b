package nexmark;

/** java.util.Random's algorithm without its AtomicLong (one generator per thread): bench/nexmark/job/JavaRandom.ts draws the same numbers. */
final class JavaRandom {
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long ADDEND = 0xBL;
  private static final long MASK = (1L << 48) - 1;
  private long seed;

  JavaRandom(long seed) { setSeed(seed); }

  void setSeed(long s) { seed = (s ^ MULTIPLIER) & MASK; }

  int next(int bits) {
    seed = (seed * MULTIPLIER + ADDEND) & MASK;
    return (int) (seed >>> (48 - bits));
  }

  int nextInt() { return next(32); }

  int nextInt(int bound) {
    if ((bound & -bound) == bound) return (int) ((bound * (long) next(31)) >> 31);
    int bits, val;
    do {
      bits = next(31);
      val = bits % bound;
    } while (bits - val + (bound - 1) < 0);
    return val;
  }

  double nextDouble() { return (((long) next(26) << 27) + next(27)) * 0x1.0p-53; }
}
