import { MAX_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';
import type { WatermarkAlignmentParams } from '../../api/eventtime/WatermarkStrategy.js';

/**
 * The watermarks reported in each alignment group of one job, by coordinator and subtask (the part of
 * Flink's coordinator store that FLIP-182 uses): sources of different operators in one group align
 * with each other.
 */
export class WatermarkAlignmentGroups {
  private readonly groups = new Map<string, Map<object, Map<number, number>>>();

  report(group: string, coordinator: object, subtask: number, watermark: number): void {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Map()));
    let c = g.get(coordinator);
    if (!c) g.set(coordinator, (c = new Map()));
    c.set(subtask, watermark);
  }

  /** The group's minimum over every reported subtask, or undefined before the first report. */
  minimum(group: string): number | undefined {
    let min: number | undefined;
    for (const c of this.groups.get(group)?.values() ?? []) for (const wm of c.values()) if (min === undefined || wm < min) min = wm;
    return min;
  }

  /** A coordinator restarts its readers (failover) or closes: its reports no longer count. */
  forget(group: string, coordinator: object): void {
    const g = this.groups.get(group);
    g?.delete(coordinator);
    if (g?.size === 0) this.groups.delete(group);
  }
}

/**
 * Coordinator side of watermark alignment for one source (Flink's SourceCoordinator#announceCombinedWatermark):
 * collects its readers' reported watermarks and, every update interval, tells each reader the
 * largest watermark it may reach: the group's minimum plus the maximal drift.
 */
export class SourceWatermarkAlignment {
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly params: WatermarkAlignmentParams, private readonly groups: WatermarkAlignmentGroups,
    private readonly readers: () => Iterable<number>, private readonly announce: (subtask: number, maxWatermark: number) => void) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.announceCombinedWatermark(), this.params.updateInterval);
    this.timer.unref?.();
  }

  report(subtask: number, watermark: number): void { this.groups.report(this.params.watermarkGroup, this, subtask, watermark); }

  announceCombinedWatermark(): void {
    const min = this.groups.minimum(this.params.watermarkGroup);
    if (min === undefined) return;
    const max = min >= MAX_WATERMARK - this.params.maxAllowedWatermarkDrift ? MAX_WATERMARK : min + this.params.maxAllowedWatermarkDrift;
    for (const s of this.readers()) this.announce(s, max);
  }

  /** Readers start over (restore): their old reports are dropped. */
  reset(): void { this.groups.forget(this.params.watermarkGroup, this); }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.reset();
  }
}
