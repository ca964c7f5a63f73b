import { murmur3 } from './MathUtils.js';
import { KeyEncoder } from './KeyEncoding.js';

export const DEFAULT_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

const sharedEncoder = new KeyEncoder();

/** Flink's formulas: keyGroup = hash(key) mod maxParallelism. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  if (typeof key === 'number' && LITTLE_ENDIAN) return unsignedMod(murmur3OfNumberKey(key), maxParallelism);
  const len = sharedEncoder.encode(key);
  return unsignedMod(murmur3(sharedEncoder.bytes, len), maxParallelism);
}

/**
 * `u % m` for a uint32 `u` and m ≤ 2^15 in int32 arithmetic: a uint32 above 2^31 is a heap number in V8,
 * and `%` on it a floating-point modulo. Same result: u = hi·2^16 + lo.
 */
function unsignedMod(u: number, m: number): number {
  return ((((u >>> 16) % m) * (65536 % m)) + (u & 0xffff)) % m;
}

// A number key's canonical bytes are [TAG_NUMBER=2, float64 big-endian] (KeyEncoding.ts): hashed here
// straight from the float's two 32-bit halves, the same murmur3 as over those 9 bytes (tested against it).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function murmur3OfNumberKey(key: number): number {
  f64[0] = key === 0 ? 0 : key; // -0 and 0 are one key
  const hi = u32[1]!, lo = u32[0]!;
  // Big-endian float bytes f0..f7 = hi >>> 24 … lo & 255; blocks are read little-endian.
  let h = mix(0, 2 | ((hi >>> 24) << 8) | (((hi >>> 16) & 255) << 16) | (((hi >>> 8) & 255) << 24));
  h = mix(h, (hi & 255) | ((lo >>> 24) << 8) | (((lo >>> 16) & 255) << 16) | (((lo >>> 8) & 255) << 24));
  let k1 = lo & 255;
  k1 = Math.imul(k1, 0xcc9e2d51);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, 0x1b873593);
  h ^= k1;
  h ^= 9;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16); // int32; unsignedMod reads it as uint32
}

/** operatorIndex = keyGroup * parallelism / maxParallelism (floor; `| 0` is floor here: non-negative, < 2^30). */
export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return ((keyGroup * parallelism) / maxParallelism) | 0;
}

export function assignKeyToParallelOperator(key: unknown, maxParallelism: number, parallelism: number): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

export interface KeyGroupRange { readonly startKeyGroup: number; readonly endKeyGroup: number } // inclusive

/** Key groups owned by one operator subtask (inverse of computeOperatorIndexForKeyGroup). */
export function computeKeyGroupRangeForOperatorIndex(maxParallelism: number, parallelism: number, operatorIndex: number): KeyGroupRange {
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { startKeyGroup: start, endKeyGroup: end };
}

export function checkMaxParallelism(maxParallelism: number, where: string): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new RangeError(`${where}: max parallelism ${maxParallelism} is invalid; it must be an integer in 1..${UPPER_BOUND_MAX_PARALLELISM}.`);
  }
}
