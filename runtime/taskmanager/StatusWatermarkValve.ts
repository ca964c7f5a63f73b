import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/**
 * Combines the watermarks of one input's channels: the input's watermark is the minimum over
 * active (non-idle, unfinished) channels, and only advances (Flink's StatusWatermarkValve).
 */
export class StatusWatermarkValve {
  private readonly wms: Float64Array;
  private readonly idle: Uint8Array;
  private readonly mine: Uint8Array;
  private last = MIN_WATERMARK;
  private allIdle = false;

  constructor(inputOf: Uint8Array, input: number) {
    const n = inputOf.length;
    this.wms = new Float64Array(n).fill(MIN_WATERMARK);
    this.idle = new Uint8Array(n);
    this.mine = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.mine[i] = inputOf[i] === input ? 1 : 0;
  }

  /** Returns the new combined watermark, or null if it did not advance. */
  inputWatermark(channel: number, wm: number): number | null {
    if (wm > this.wms[channel]) this.wms[channel] = wm;
    return this.recompute();
  }

  channelFinished(channel: number): number | null {
    this.wms[channel] = MAX_WATERMARK;
    this.idle[channel] = 0;
    return this.recompute();
  }

  /** Returns the new idle status of the whole input when it changed, else null. */
  inputWatermarkStatus(channel: number, idle: boolean): boolean | null {
    this.idle[channel] = idle ? 1 : 0;
    let all = true;
    for (let i = 0; i < this.wms.length; i++) if (this.mine[i] && !this.idle[i] && this.wms[i] < MAX_WATERMARK) { all = false; break; }
    if (all === this.allIdle) return null;
    this.allIdle = all;
    return all;
  }

  private recompute(): number | null {
    let min = Infinity;
    for (let i = 0; i < this.wms.length; i++) if (this.mine[i] && !this.idle[i] && this.wms[i] < min) min = this.wms[i];
    if (min === Infinity || min <= this.last) return null;
    this.last = min;
    return min;
  }
}
