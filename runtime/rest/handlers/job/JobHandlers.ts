// Flink's SubtasksTimesHandler (/jobs/:jobid/vertices/:vertexid/subtasktimes) and JobConfigHandler
// (/jobs/:jobid/config).
import { Configuration } from '../../../configuration/index.js';
import { createRestartStrategy } from '../../../jobmanager/jobmaster/failover/RestartBackoffTimeStrategy.js';
import { EXECUTION_STATES } from '../../messages/common.js';
import { type RestHandlerContext, jobParams, param, vertexOf, vertexParams } from '../RestHandlerContext.js';

export interface SubtasksTimesInfo {
  id: string; name: string; now: number;
  subtasks: Array<{ subtask: number; host: string | null; endpoint: string | null; duration: number; timestamps: Record<string, number> }>;
}

export interface JobConfigInfo {
  jid: string; name: string;
  'execution-config': { 'execution-mode': string; 'restart-strategy': string; 'job-parallelism': number; 'object-reuse-mode': boolean; 'user-config': Record<string, string> };
}

export function registerJobHandlers(ctx: RestHandlerContext): void {
  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/subtasktimes', { params: vertexParams }, async (req): Promise<SubtasksTimesInfo> => {
    const { vertex } = vertexOf(ctx, req);
    const now = Date.now();
    return {
      id: vertex.id, name: vertex.spec.name, now,
      subtasks: vertex.taskVertices.map((ev) => {
        const ex = ev.currentExecution;
        const reg = ex.slot ? ctx.slotManager.getRegistration(ex.slot.taskManagerId) : undefined;
        const host = ex.slot?.host ?? reg?.info.host ?? null;
        const timestamps: Record<string, number> = {};
        // Every state, as Flink: 0 for states the attempt never reached.
        for (const s of EXECUTION_STATES) timestamps[s] = ex.stateTimestamps[s as keyof typeof ex.stateTimestamps] ?? 0;
        const start = ex.stateTimestamps.DEPLOYING ?? ex.stateTimestamps.CREATED ?? now;
        const end = ex.isTerminal ? (ex.stateTimestamps[ex.state] ?? now) : now;
        return { subtask: ev.subtaskIndex, host, endpoint: host !== null ? `${host}:${ex.slot?.dataPort ?? reg?.info.dataPort ?? 0}` : null, duration: end - start, timestamps };
      }),
    };
  });

  ctx.route('GET', '/jobs/:jobid/config', { params: jobParams }, async (req): Promise<JobConfigInfo> => {
    const { master } = ctx.view(param(req, 'jobid'));
    const g = master.job.jobGraph;
    const conf = ctx.configuration.clone().addAll(Configuration.fromMap(g.configuration));
    const parallelism = Math.max(1, ...g.vertices.map((v) => v.parallelism));
    return {
      jid: master.jobId, name: g.jobName,
      'execution-config': {
        // Flink names PIPELINED/BATCH; tsflink's runtime mode says the same (STREAMING is pipelined).
        'execution-mode': g.runtimeMode === 'BATCH' ? 'BATCH' : 'PIPELINED',
        'restart-strategy': createRestartStrategy(conf).describe(),
        'job-parallelism': master.job.defaultParallelism ?? parallelism,
        'object-reuse-mode': false,
        'user-config': { ...g.configuration },
      },
    };
  });
}
