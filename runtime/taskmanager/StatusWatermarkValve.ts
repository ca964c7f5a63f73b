import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/** Where a valve sends the input's combined watermark and idleness. */
export interface ValveOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

/**
 * Combines the watermarks and idleness of one input's channels (Flink's StatusWatermarkValve): the
 * input's watermark is the minimum over active, aligned channels and only advances. An idle channel
 * is left out; when it becomes active again below the current watermark it is "unaligned" and
 * counts again only once it caught up. When every channel is idle the input is idle, after flushing
 * the maximum watermark over all channels. A finished channel holds +∞.
 */
export class StatusWatermarkValve {
  private readonly wms: Float64Array;
  private readonly idle: Uint8Array;
  private readonly aligned: Uint8Array;
  private readonly finished: Uint8Array;
  private readonly mine: Uint8Array;
  private lastOutputWatermark = MIN_WATERMARK;
  private outputIdle = false;

  /** `inputOf[channel]` is the input (1 or 2) of each channel of the gate; this valve takes those of `input`. */
  constructor(inputOf: Uint8Array, input: number) {
    const n = inputOf.length;
    this.wms = new Float64Array(n).fill(MIN_WATERMARK);
    this.idle = new Uint8Array(n);
    this.aligned = new Uint8Array(n).fill(1);
    this.finished = new Uint8Array(n);
    this.mine = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.mine[i] = inputOf[i] === input ? 1 : 0;
  }

  inputWatermark(channel: number, wm: number, out: ValveOutput): void {
    // Watermarks of an idle channel, or while the whole input is idle, are ignored (Flink).
    if (this.outputIdle || this.idle[channel]) return;
    if (!(wm > this.wms[channel]!)) return;
    this.wms[channel] = wm;
    if (!this.aligned[channel] && wm >= this.lastOutputWatermark) this.aligned[channel] = 1;
    this.outputNewMinWatermark(out);
  }

  inputWatermarkStatus(channel: number, idle: boolean, out: ValveOutput): void {
    if (idle && !this.idle[channel]) {
      this.idle[channel] = 1;
      this.aligned[channel] = 0;
      if (!this.hasActiveChannels()) {
        // Nothing will advance any more: flush the maximum watermark, then the input is idle.
        if (this.wms[channel] === this.lastOutputWatermark) this.outputMaxWatermark(out);
        this.outputIdle = true;
        out.emitWatermarkStatus(true);
      } else if (this.wms[channel] === this.lastOutputWatermark) {
        // The channel held the minimum back: the others may advance it now.
        this.outputNewMinWatermark(out);
      }
    } else if (!idle && this.idle[channel]) {
      this.idle[channel] = 0;
      if (this.wms[channel]! >= this.lastOutputWatermark) this.aligned[channel] = 1;
      if (this.outputIdle) { this.outputIdle = false; out.emitWatermarkStatus(false); }
    }
  }

  /** End of partition on `channel`: it holds +∞ from now on. */
  channelFinished(channel: number, out: ValveOutput): void {
    this.wms[channel] = MAX_WATERMARK;
    this.finished[channel] = 1;
    this.idle[channel] = 0;
    this.aligned[channel] = 1;
    // The rest idle (or finished): the maximum is flushed, as when the last channel goes idle.
    if (this.outputIdle) this.outputMaxWatermark(out); else this.outputNewMinWatermark(out);
  }

  /** Test view of one channel (Flink's getInputChannelStatus). */
  channelStatus(channel: number): { watermark: number; idle: boolean; aligned: boolean } {
    return { watermark: this.wms[channel]!, idle: this.idle[channel] === 1, aligned: this.aligned[channel] === 1 };
  }

  private hasActiveChannels(): boolean {
    for (let i = 0; i < this.wms.length; i++) if (this.mine[i] && !this.idle[i] && !this.finished[i]) return true;
    return false;
  }

  private outputNewMinWatermark(out: ValveOutput): void {
    let min = Infinity;
    for (let i = 0; i < this.wms.length; i++) if (this.mine[i] && this.aligned[i] && this.wms[i]! < min) min = this.wms[i]!;
    if (min !== Infinity && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      out.emitWatermark(min);
    }
  }

  private outputMaxWatermark(out: ValveOutput): void {
    let max = MIN_WATERMARK;
    for (let i = 0; i < this.wms.length; i++) if (this.mine[i] && this.wms[i]! > max) max = this.wms[i]!;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      out.emitWatermark(max);
    }
  }
}
