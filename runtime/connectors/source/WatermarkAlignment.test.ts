import { describe, it, expect, vi, afterEach } from 'vitest';
import { SourceCoordinator } from '../../jobmanager/coordination/SourceCoordinator.js';
import { WatermarkAlignmentGroups } from './WatermarkAlignment.js';
import { DataGeneratorSource } from '../datagen/DataGeneratorSource.js';
import type { SourceCoordinatorEvent, SourceOperatorEvent } from '../../operators/SourceOperator.js';
import { MAX_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';

// Flink's SourceCoordinatorAlignmentTest: coordinators collect their readers' watermarks and
// announce the group's minimum + the maximal drift to every reader, across sources of one group.

afterEach(() => { vi.useRealTimers(); });

const alignment = { watermarkGroup: 'group1', maxAllowedWatermarkDrift: 100, updateInterval: 1000 };

function coordinator(groups: WatermarkAlignmentGroups, parallelism = 2): { c: SourceCoordinator; sent: Array<{ subtask: number; max: number }> } {
  const sent: Array<{ subtask: number; max: number }> = [];
  const c = new SourceCoordinator(new DataGeneratorSource<number>((i) => i, 10) as never, parallelism,
    (subtask, e) => { const ev = e as SourceCoordinatorEvent; if (ev.type === 'WatermarkAlignment') sent.push({ subtask, max: ev.maxWatermark }); },
    (e) => { throw e; }, groups);
  return { c, sent };
}

async function register(c: SourceCoordinator, subtasks: number[]): Promise<void> {
  for (const subtask of subtasks) await c.handleEventFromOperator(subtask, { type: 'ReaderRegistration', subtask, alignment } satisfies SourceOperatorEvent);
}
const report = (c: SourceCoordinator, subtask: number, watermark: number): Promise<void> =>
  c.handleEventFromOperator(subtask, { type: 'ReportedWatermark', subtask, watermark } satisfies SourceOperatorEvent);

describe('SourceCoordinator watermark alignment', () => {
  it('testWatermarkAlignment: every update interval each reader learns the minimum reported watermark + the maximal drift', async () => {
    vi.useFakeTimers();
    const { c, sent } = coordinator(new WatermarkAlignmentGroups());
    await c.start();
    await register(c, [0, 1]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]); // nothing reported yet
    await report(c, 0, 42);
    await report(c, 1, 44);
    vi.advanceTimersByTime(1000);
    expect(sent.splice(0)).toEqual([{ subtask: 0, max: 142 }, { subtask: 1, max: 142 }]);
    await report(c, 0, 5000);
    vi.advanceTimersByTime(1000);
    expect(sent.splice(0)).toEqual([{ subtask: 0, max: 144 }, { subtask: 1, max: 144 }]);
    // Idle / finished readers report +∞: the maximum is then unbounded.
    await report(c, 1, MAX_WATERMARK);
    await report(c, 0, MAX_WATERMARK);
    vi.advanceTimersByTime(1000);
    expect(sent.splice(0)).toEqual([{ subtask: 0, max: MAX_WATERMARK }, { subtask: 1, max: MAX_WATERMARK }]);
    await c.close();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([]);
  });

  it('testWatermarkAlignmentWithTwoGroups / across sources: coordinators sharing a group align with each other', async () => {
    vi.useFakeTimers();
    const groups = new WatermarkAlignmentGroups();
    const a = coordinator(groups);
    const b = coordinator(groups, 1);
    await a.c.start(); await b.c.start();
    await register(a.c, [0, 1]);
    await register(b.c, [0]);
    await report(a.c, 0, 1000); await report(a.c, 1, 1200);
    await report(b.c, 0, 300);
    vi.advanceTimersByTime(1000);
    expect(a.sent).toEqual([{ subtask: 0, max: 400 }, { subtask: 1, max: 400 }]);
    expect(b.sent).toEqual([{ subtask: 0, max: 400 }]);
    await a.c.close(); await b.c.close();
  });

  it('a restore drops the reports of the readers that start over', async () => {
    vi.useFakeTimers();
    const { c, sent } = coordinator(new WatermarkAlignmentGroups(), 1);
    await c.start();
    await register(c, [0]);
    await report(c, 0, 7000);
    await c.resetToCheckpoint(undefined, undefined);
    await register(c, [0]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
    await report(c, 0, 10);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([{ subtask: 0, max: 110 }]);
    await c.close();
  });
});
