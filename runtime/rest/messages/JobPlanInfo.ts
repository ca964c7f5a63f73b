// GET /jobs/:jobid/plan (Flink's JobPlanInfo, the JSON plan of the JobGraph).
import type { JobGraphSpec } from '../../graph/jobgraph/JobGraph.js';

export interface JobPlanNode {
  id: string;
  parallelism: number;
  operator: string;
  operator_strategy: string;
  description: string;
  inputs?: Array<{ num: number; id: string; ship_strategy: string; exchange: string }>;
  optimizer_properties: Record<string, never>;
}
export interface JobPlan { jid: string; name: string; type: 'STREAMING' | 'BATCH'; nodes: JobPlanNode[] }
export interface JobPlanInfo { plan: JobPlan }

/** The plan JSON Flink's JsonPlanGenerator writes: one node per JobVertex, inputs from its edges. */
export function jobPlan(g: JobGraphSpec): JobPlan {
  return {
    jid: g.jobId,
    name: g.jobName,
    type: g.runtimeMode,
    nodes: g.vertices.map((v) => {
      const ins = g.edges.filter((e) => e.targetVertexId === v.id);
      const node: JobPlanNode = {
        id: v.id,
        parallelism: v.parallelism,
        operator: '',
        operator_strategy: '',
        // Flink describes a chain as its operators joined by "+-" lines.
        description: v.operators.map((o, i) => (i === 0 ? o.name : `+- ${o.name}`)).join('<br/>'),
        optimizer_properties: {},
      };
      // Flink omits "inputs" on sources.
      if (ins.length > 0) {
        node.inputs = ins.map((e, num) => ({
          num,
          id: e.sourceVertexId,
          ship_strategy: e.partitioner,
          exchange: e.resultPartitionType === 'BLOCKING' ? 'blocking' : 'pipelined_bounded',
        }));
      }
      return node;
    }),
  };
}

export function jobPlanInfo(g: JobGraphSpec): JobPlanInfo { return { plan: jobPlan(g) }; }
