// Pipelined regions of an ExecutionGraph (Flink's SchedulingPipelinedRegion / PipelinedRegionComputeUtil):
// subtasks joined by pipelined exchanges run together; blocking exchanges separate regions.
import type { ExecutionGraph, ExecutionVertex } from '../../graph/executiongraph/ExecutionGraph.js';

export class PipelinedRegion {
  readonly vertices: ExecutionVertex[] = [];
  /** Subtasks outside the region whose blocking partitions the region reads. */
  readonly blockingProducers = new Set<ExecutionVertex>();
  /** Regions reading this region's blocking partitions, and the regions this one reads from. */
  readonly consumerRegions = new Set<PipelinedRegion>();
  readonly producerRegions = new Set<PipelinedRegion>();
  /** Position in topological order. */
  constructor(public index: number) {}
  toString(): string { return `region ${this.index} [${this.vertices.map((v) => v.taskNameWithSubtaskIndex).join(', ')}]`; }
}

/** The regions of one job, in topological order (producers before consumers). */
export class PipelinedRegionTopology {
  private readonly byVertex = new Map<ExecutionVertex, PipelinedRegion>();
  /** Per producer subtask: the subtasks reading its blocking partitions. */
  private readonly blockingConsumers = new Map<ExecutionVertex, Set<ExecutionVertex>>();

  private constructor(readonly regions: readonly PipelinedRegion[]) {}

  regionOf(ev: ExecutionVertex): PipelinedRegion {
    const r = this.byVertex.get(ev);
    if (!r) throw new Error(`internal: ${ev.taskNameWithSubtaskIndex} belongs to no pipelined region`);
    return r;
  }

  consumersOf(producer: ExecutionVertex): ReadonlySet<ExecutionVertex> { return this.blockingConsumers.get(producer) ?? new Set(); }

  static build(eg: ExecutionGraph): PipelinedRegionTopology {
    const all = [...eg.allExecutionVertices()];
    const order = new Map(all.map((v, i) => [v, i]));
    const parent = all.map((_, i) => i);
    const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; } return i; };
    const blockingInputs: Array<[ExecutionVertex, ExecutionVertex]> = []; // [consumer, producer]
    for (const ev of all) {
      for (const { edge, channels } of eg.consumedChannels(ev)) {
        for (const ch of channels) {
          if (edge.resultPartitionType === 'PIPELINED') {
            const a = find(order.get(ev)!);
            const b = find(order.get(ch.producer)!);
            if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
          } else blockingInputs.push([ev, ch.producer]);
        }
      }
    }
    const rootRegion = new Map<number, PipelinedRegion>();
    const unordered: PipelinedRegion[] = [];
    const byVertex = new Map<ExecutionVertex, PipelinedRegion>();
    for (const ev of all) {
      const root = find(order.get(ev)!);
      let r = rootRegion.get(root);
      if (!r) { r = new PipelinedRegion(unordered.length); rootRegion.set(root, r); unordered.push(r); }
      r.vertices.push(ev);
      byVertex.set(ev, r);
    }
    const consumers = new Map<ExecutionVertex, Set<ExecutionVertex>>();
    for (const [c, p] of blockingInputs) {
      const rc = byVertex.get(c)!;
      const rp = byVertex.get(p)!;
      if (rc === rp) throw new Error(`internal: blocking exchange ${p.taskNameWithSubtaskIndex} -> ${c.taskNameWithSubtaskIndex} inside one pipelined region`);
      rc.blockingProducers.add(p);
      rc.producerRegions.add(rp);
      rp.consumerRegions.add(rc);
      let s = consumers.get(p);
      if (!s) consumers.set(p, (s = new Set()));
      s.add(c);
    }
    // Kahn's order; ties by first subtask, so sources come first and stages stay together.
    const indegree = new Map(unordered.map((r) => [r, r.producerRegions.size]));
    const ready = unordered.filter((r) => r.producerRegions.size === 0);
    const sorted: PipelinedRegion[] = [];
    while (ready.length > 0) {
      const r = ready.shift()!;
      sorted.push(r);
      for (const c of r.consumerRegions) {
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d === 0) ready.push(c);
      }
    }
    if (sorted.length !== unordered.length) throw new Error(`internal: job ${eg.jobId} has a cycle between pipelined regions`);
    sorted.forEach((r, i) => { r.index = i; });
    const t = new PipelinedRegionTopology(sorted);
    for (const [v, r] of byVertex) t.byVertex.set(v, r);
    for (const [p, s] of consumers) t.blockingConsumers.set(p, s);
    return t;
  }
}
