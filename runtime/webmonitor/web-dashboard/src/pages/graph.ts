// The job graph of the job overview: dagre lays out the plan's nodes (JobVertices) left to right;
// each node shows name, parallelism, "Backpressured (max)", "Busy (max)" and the low watermark,
// and is coloured by busy / back-pressured share like Flink's dashboard.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useMemo } from 'preact/hooks';
import { Graph, layout } from '@dagrejs/dagre';
import { getJson } from '../api';
import { nodeColors, percentOfSecond } from '../colors';
import { watermark } from '../format';
import { usePoll } from '../hooks';
import type { AggregatedMetric, JobDetails, MetricValue, PlanNode } from '../types';

const NODE_W = 250, NODE_H = 112;

export interface VertexLive { busy: number; backPressured: number; lowWatermark: number | undefined }

/** Per vertex: max busy / back-pressured over its subtasks, and the lowest input watermark. */
export async function loadVertexLive(jid: string, vertexIds: string[]): Promise<Map<string, VertexLive>> {
  const out = new Map<string, VertexLive>();
  await Promise.all(vertexIds.map(async (vid) => {
    const [agg, wms] = await Promise.all([
      getJson<AggregatedMetric[]>(`jobs/${jid}/vertices/${vid}/subtasks/metrics?get=backPressuredTimeMsPerSecond,busyTimeMsPerSecond&agg=max`),
      getJson<MetricValue[]>(`jobs/${jid}/vertices/${vid}/watermarks`),
    ]);
    const max = (id: string): number | undefined => agg.find((m) => m.id === id)?.max;
    const marks = wms.map((w) => Number(w.value)).filter((v) => Number.isFinite(v));
    out.set(vid, {
      busy: percentOfSecond(max('busyTimeMsPerSecond')),
      backPressured: percentOfSecond(max('backPressuredTimeMsPerSecond')),
      lowWatermark: marks.length === wms.length && marks.length > 0 ? Math.min(...marks) : undefined,
    });
  }));
  return out;
}

interface Laid { nodes: Array<{ id: string; x: number; y: number }>; edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }>; label: string }>; width: number; height: number }

function lay(nodes: readonly PlanNode[]): Laid {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const n of nodes) for (const i of n.inputs ?? []) g.setEdge(i.id, n.id, { label: i.ship_strategy, width: 80, height: 18 });
  layout(g);
  const label = g.graph() as { width?: number; height?: number };
  return {
    nodes: g.nodes().map((id) => { const n = g.node(id) as { x: number; y: number }; return { id, x: n.x, y: n.y }; }),
    edges: g.edges().map((e) => {
      const ed = g.edge(e) as { points: Array<{ x: number; y: number }>; label: string };
      return { from: e.v, to: e.w, points: ed.points, label: ed.label };
    }),
    width: label.width ?? 600, height: label.height ?? 200,
  };
}

/** A plan node's name from its description (Flink's chain: operators joined by "<br/>+- "). */
export function planNodeName(n: PlanNode): string {
  return n.description.split('<br/>').map((p) => p.replace(/^\+-\s*/, '')).join(' -> ');
}

/** The laid-out plan; `live` colours and annotates the nodes (a running job). */
export function PlanGraph({ nodes, names, live, selected, onSelect, testid }: {
  nodes: readonly PlanNode[]; names?: ReadonlyMap<string, string>; live?: ReadonlyMap<string, VertexLive> | undefined;
  selected?: string | undefined; onSelect?: (vid: string) => void; testid: string;
}): VNode {
  const topology = nodes.map((n) => `${n.id}:${(n.inputs ?? []).map((i) => i.id).join(',')}`).join(';');
  const laid = useMemo(() => lay(nodes), [topology]);
  const path = (pts: Array<{ x: number; y: number }>): string => pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  return html`<div class="graph-wrap"><svg class="job-graph" data-testid=${testid} width=${laid.width} height=${laid.height} viewBox=${`0 0 ${laid.width} ${laid.height}`}>
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c8c8c" /></marker></defs>
    ${laid.edges.map((e) => {
      const mid = e.points[Math.floor(e.points.length / 2)]!;
      return html`<g class="edge"><path d=${path(e.points)} marker-end="url(#arrow)" />
        <text x=${mid.x} y=${mid.y - 6} text-anchor="middle" class="edge-label">${e.label}</text></g>`;
    })}
    ${laid.nodes.map((n) => {
      const node = nodes.find((p) => p.id === n.id)!;
      const l = live?.get(n.id);
      const c = nodeColors(l?.busy ?? 0, l?.backPressured ?? 0);
      const name = names?.get(n.id) ?? planNodeName(node);
      return html`<g class=${`node${selected === n.id ? ' selected' : ''}`} data-vertex-id=${n.id} data-name=${name} data-parallelism=${node.parallelism}
          data-busy=${l?.busy ?? ''} data-backpressured=${l?.backPressured ?? ''} data-fill=${c.background}
          transform=${`translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`} onClick=${() => onSelect?.(n.id)}>
        <rect width=${NODE_W} height=${NODE_H} rx="6" fill=${c.background} stroke=${c.border} stroke-width="2" />
        <foreignObject x="8" y="6" width=${NODE_W - 16} height=${NODE_H - 12}>
          <div class="node-body" xmlns="http://www.w3.org/1999/xhtml">
            <div class="node-name" title=${name}>${name}</div>
            <div>Parallelism: <b class="node-parallelism">${node.parallelism}</b></div>
            ${live ? html`<div>Backpressured (max): <b>${l ? `${l.backPressured}%` : '-'}</b></div>
            <div>Busy (max): <b>${l ? `${l.busy}%` : '-'}</b></div>
            <div>Low Watermark: <b>${l ? watermark(l.lowWatermark) : '-'}</b></div>` : null}
          </div>
        </foreignObject>
      </g>`;
    })}
  </svg></div>`;
}

export function JobGraphView({ job, selected, onSelect }: { job: JobDetails; selected: string | undefined; onSelect: (vid: string) => void }): VNode {
  const topology = job.plan.nodes.map((n) => n.id).join(',');
  const running = job.state === 'RUNNING';
  const live = usePoll(() => (running ? loadVertexLive(job.jid, job.plan.nodes.map((n) => n.id)) : Promise.resolve(new Map<string, VertexLive>())), [job.jid, topology, running]);
  const names = new Map(job.vertices.map((v) => [v.id, v.name]));
  return html`<${PlanGraph} nodes=${job.plan.nodes} names=${names} live=${live.data ?? new Map()} selected=${selected} onSelect=${onSelect} testid="job-graph" />`;
}
