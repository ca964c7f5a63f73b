import { murmur3 } from './MathUtils.js';
import { KeyEncoder } from './KeyEncoding.js';

export const DEFAULT_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

const sharedEncoder = new KeyEncoder();

/** Flink's formulas: keyGroup = hash(key) mod maxParallelism. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  const len = sharedEncoder.encode(key);
  return murmur3(sharedEncoder.bytes, len) % maxParallelism;
}

/** operatorIndex = keyGroup * parallelism / maxParallelism (floor). */
export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
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
