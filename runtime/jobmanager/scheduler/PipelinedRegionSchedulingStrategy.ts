// Flink's PipelinedRegionSchedulingStrategy: a region is scheduled once every blocking partition it
// reads is finished; sources' regions first. Slots are the scheduler's business, not the strategy's.
import type { ExecutionVertex } from '../../graph/executiongraph/ExecutionGraph.js';
import type { PipelinedRegion, PipelinedRegionTopology } from './PipelinedRegionTopology.js';

export class PipelinedRegionSchedulingStrategy {
  private readonly scheduled = new Set<PipelinedRegion>();
  /** Regions a failover is restarting: not scheduled until restartRegions(). */
  private readonly held = new Set<PipelinedRegion>();

  /** `schedule` gets regions in topological order, each exactly once until it is restarted. */
  constructor(private readonly topology: PipelinedRegionTopology, private readonly schedule: (region: PipelinedRegion) => void) {}

  startScheduling(): void { this.scheduleReady(this.topology.regions); }

  /** A subtask finished: consumer regions of its region may be ready now. */
  onExecutionFinished(ev: ExecutionVertex): void {
    this.scheduleReady([...this.topology.regionOf(ev).consumerRegions].sort((a, b) => a.index - b.index));
  }

  /** A failover starts restarting these regions: none of them is scheduled meanwhile. */
  holdRegions(regions: Iterable<PipelinedRegion>): void {
    for (const r of regions) this.held.add(r);
  }

  /** These regions got new attempts (failover): scheduled again once their inputs are finished. */
  restartRegions(regions: Iterable<PipelinedRegion>): void {
    const rs = [...regions].sort((a, b) => a.index - b.index);
    for (const r of rs) { this.scheduled.delete(r); this.held.delete(r); }
    this.scheduleReady(rs);
  }

  isScheduled(region: PipelinedRegion): boolean { return this.scheduled.has(region); }

  private scheduleReady(candidates: Iterable<PipelinedRegion>): void {
    for (const r of candidates) {
      if (this.scheduled.has(r) || this.held.has(r) || !isReady(r)) continue;
      this.scheduled.add(r);
      this.schedule(r);
    }
  }
}

/** Every producer the region reads a blocking partition of has finished its current attempt. */
function isReady(r: PipelinedRegion): boolean {
  for (const p of r.blockingProducers) if (p.currentExecution.state !== 'FINISHED') return false;
  return true;
}
