package nexmark;

/** FNV-1a over 32-bit words, as bench/nexmark/job/checksum.ts: the same record gives the same hash in both engines. */
final class RecordHash {
  private static final int OFFSET = 0x811c9dc5;
  private static final int PRIME = 0x01000193;
  private int h = OFFSET;
  RecordHash lng(long x) {
    h = (h ^ (int) x) * PRIME;
    h = (h ^ (int) (x >>> 32)) * PRIME;
    return this;
  }
  RecordHash str(String s) {
    int v = (h ^ s.length()) * PRIME;
    for (int i = 0; i < s.length(); i++) v = (v ^ s.charAt(i)) * PRIME;
    h = v;
    return this;
  }
  long done() { long r = Integer.toUnsignedLong(h); h = OFFSET; return r; }
}
