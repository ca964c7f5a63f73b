// Flink's RestartPipelinedRegionFailoverStrategy: which subtasks restart after a failure.
import type { ExecutionVertex } from '../../../graph/executiongraph/ExecutionGraph.js';
import type { PipelinedRegion, PipelinedRegionTopology } from '../../scheduler/PipelinedRegionTopology.js';

/**
 * Restarts (1) the regions of the failed subtasks, (2) producer regions whose partitions a restarted
 * region needs but are gone (their TaskManager died, their files were deleted, they were released),
 * and (3) every region consuming from a restarted region (a rerun may produce other data). `full`
 * restarts all regions.
 */
export class RestartPipelinedRegionFailoverStrategy {
  constructor(
    private readonly topology: PipelinedRegionTopology,
    /** Whether the producer's current attempt has its partitions, or is still producing them. */
    private readonly isPartitionAvailable: (producer: ExecutionVertex) => boolean,
    private readonly mode: 'region' | 'full' = 'region',
  ) {}

  regionsToRestart(failed: Iterable<ExecutionVertex>): Set<PipelinedRegion> {
    if (this.mode === 'full') return new Set(this.topology.regions);
    const out = new Set<PipelinedRegion>();
    const queue: PipelinedRegion[] = [...failed].map((v) => this.topology.regionOf(v));
    while (queue.length > 0) {
      const r = queue.shift()!;
      if (out.has(r)) continue;
      out.add(r);
      for (const p of r.blockingProducers) if (!this.isPartitionAvailable(p)) queue.push(this.topology.regionOf(p));
      for (const c of r.consumerRegions) queue.push(c);
    }
    return out;
  }
}
