/** murmur3 x86 32-bit over bytes, seed 0: the one hash used for key groups in every process. */
export function murmur3(bytes: Uint8Array, length: number = bytes.length, seed = 0): number {
  let h = seed >>> 0;
  const nblocks = length >>> 2;
  let i = 0;
  for (let b = 0; b < nblocks; b++, i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  const tail = length & 3;
  if (tail === 3) k1 ^= bytes[i + 2] << 16;
  if (tail >= 2) k1 ^= bytes[i + 1] << 8;
  if (tail >= 1) {
      k1 ^= bytes[i];
      k1 = Math.imul(k1, 0xcc9e2d51);
      k1 = (k1 << 15) | (k1 >>> 17);
      k1 = Math.imul(k1, 0x1b873593);
      h ^= k1;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
