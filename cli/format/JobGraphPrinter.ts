// Human-readable rendering of JobGraphs for `tsflink info` (pure: JobGraphJson → string).
import type { JobGraphJson } from '../../runtime/graph/jobgraph/JobGraphJson.js';

type Vertex = JobGraphJson['vertices'][number];
type Edge = JobGraphJson['edges'][number];
type Operator = Vertex['operators'][number];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Renders one JobGraph: vertices with their chained operators, then edges. */
export function formatJobGraph(graph: JobGraphJson): string {
  const out: string[] = [];
  out.push(`Job "${graph.jobName}" (${graph.jobId}), ${graph.runtimeMode}`);
  out.push(`  ${graph.vertices.length} ${graph.vertices.length === 1 ? 'vertex' : 'vertices'}, ${plural(graph.edges.length, 'edge')}`);

  const index = new Map<string, number>();
  graph.vertices.forEach((v: Vertex, i: number) => index.set(v.id, i + 1));
  const label = (id: string): string => {
    const n = index.get(id);
    const v = n === undefined ? undefined : graph.vertices[n - 1];
    return v ? `[${n}] ${v.name}` : `[?] ${id}`;
  };

  graph.vertices.forEach((v: Vertex, i: number) => {
    out.push('');
    out.push(`[${i + 1}] ${v.name}`);
    out.push(`    id                  ${v.id}`);
    out.push(`    parallelism         ${v.parallelism}`);
    out.push(`    max parallelism     ${v.maxParallelism}`);
    out.push(`    slot sharing group  ${v.slotSharingGroup}`);
    const inputs = graph.edges.filter((e: Edge) => e.target === v.id);
    if (inputs.length > 0) {
      out.push(`    inputs              ${inputs.map((e: Edge) => `${label(e.source)} (${e.partitioner}, ${e.resultPartitionType})`).join('\n                        ')}`);
    }
    out.push(`    operators (${v.operators.length}${v.operators.length > 1 ? ', chained' : ''}):`);
    v.operators.forEach((op: Operator, j: number) => {
      out.push(`      ${j + 1}. ${op.name}  [operator ${op.id}${op.uid !== undefined ? `, uid "${op.uid}"` : ''}]`);
    });
  });

  out.push('');
  if (graph.edges.length === 0) {
    out.push('Edges: none');
  } else {
    out.push('Edges:');
    for (const e of graph.edges) {
      out.push(`  ${label(e.source)}  --${e.partitioner}, ${e.resultPartitionType}-->  ${label(e.target)}`);
    }
  }
  return out.join('\n');
}

/** Renders every JobGraph a job built (one per execute() call). */
export function formatJobGraphs(graphs: readonly JobGraphJson[]): string {
  if (graphs.length === 0) return 'The job built no JobGraph: its main() did not call execute() or executeAsync().';
  return graphs.map((g, i) => (graphs.length > 1 ? `=== JobGraph ${i + 1} of ${graphs.length} ===\n` : '') + formatJobGraph(g)).join('\n\n');
}
