import { TimeWindow } from '../windows/TimeWindow.js';

/**
 * Shifts the window starts of one operator instance so that not all windows of a job fire at
 * the same instant (Flink's WindowStagger). Computed once, on the first element.
 */
export class WindowStagger {
  /** No stagger: every instance starts windows at epoch multiples. */
  static readonly ALIGNED = new WindowStagger('ALIGNED', () => 0);
  /** A random offset in [0, size). */
  static readonly RANDOM = new WindowStagger('RANDOM', (_now, size) => Math.floor(Math.random() * size));
  /** Windows start when the instance receives its first element (processing time). */
  static readonly NATURAL = new WindowStagger('NATURAL', (now, size) => Math.max(0, now - TimeWindow.getWindowStartWithOffset(now, 0, size)));

  private constructor(readonly name: string, private readonly fn: (currentProcessingTime: number, size: number) => number) {}
  getStaggerOffset(currentProcessingTime: number, size: number): number { return this.fn(currentProcessingTime, size); }
  toString(): string { return this.name; }
}
