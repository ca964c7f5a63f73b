import { parentPort, workerData } from 'node:worker_threads';
import type { ToSlot, FromSlot, SlotWorkerData } from './SlotMessages.js';
import { traceCheckpoint } from '../../checkpoint/CheckpointTrace.js';
import { ShuffleEnvironment } from '../../network/index.js';
import { Task } from '../Task.js';
import type { TaskManagerActions, TaskDeploymentDescriptor } from '../TaskDeploymentDescriptor.js';
import { RunningTaskMetrics } from '../RunningTaskMetrics.js';
import { serializeThrowable } from '../TaskDeploymentDescriptor.js';
import type { JobSubmissionInfo } from '../../jobmanager/gateways.js';
import type { StreamGraph } from '../../graph/streamgraph/StreamGraph.js';
import { JobBundleUserCodeLoader } from '../../usercode/JobBundleUserCodeLoader.js';
import { preloadTsflinkRuntime } from '../../usercode/JobBundle.js';
import { sampleThreadMetrics, startGcMonitor } from '../TaskManagerMetrics.js';
import { getHeapStatistics } from 'node:v8';
import { MetricRegistry, TaskManagerMetricGroup } from '../../metrics/index.js';

/**
 * A slot: one worker thread (own V8 isolate and heap limit) running any number of tasks
 * cooperatively. User code arrives as the job bundle; main is re-run with a planning
 * environment to get the operators, and the rebuilt graph must match the submitted one.
 */
const port = parentPort!;
const data = workerData as SlotWorkerData;
const shuffle = new ShuffleEnvironment({ slotIndex: data.slotIndex, config: data.network });
const tasks = new Map<string, Task>();
const canceledEarly = new Set<string>();
const graphs = new Map<string, Promise<StreamGraph>>();
// Running tasks' counters cross the MessagePort periodically; final ones travel with the terminal state.
const runningMetrics = new RunningTaskMetrics(tasks, data.metricsInterval, (reports) => post({ t: 'metrics', reports }));
startGcMonitor();
// The slot's metrics live in its own isolate; the TaskManager asks for them ('dumpMetrics') when read.
const metricRegistry = new MetricRegistry();
const metricGroup = new TaskManagerMetricGroup(metricRegistry, data.metrics?.host ?? 'localhost', data.metrics?.taskManagerId ?? `slot-${data.slotIndex}`);
const slotHeap = metricGroup.addGroup('Status').addGroup('Slot', String(data.slotIndex)).addGroup('Heap');
slotHeap.gauge('Used', () => getHeapStatistics().used_heap_size);
slotHeap.gauge('Committed', () => getHeapStatistics().total_heap_size);
slotHeap.gauge('Max', () => getHeapStatistics().heap_size_limit);
metricGroup.addGroup('Status').addGroup('Slot', String(data.slotIndex)).gauge('Tasks', () => tasks.size);

const post = (m: FromSlot): void => port.postMessage(m);
const actions: TaskManagerActions = {
  updateTaskExecutionState: (update) => post({ t: 'state', update }),
  sendOperatorEventToCoordinator: (jobId, attemptId, nodeId, event) => post({ t: 'toCoordinator', jobId, attemptId, nodeId, event }),
  reportCheckpoint: (jobId, response) => post({ t: 'checkpointResponse', jobId, response }),
};

function graphFor(job: JobSubmissionInfo): Promise<StreamGraph> {
  const id = job.jobGraph.jobId;
  let g = graphs.get(id);
  if (!g) {
    g = rebuild(job);
    graphs.set(id, g);
  }
  return g;
}

const userCode = new JobBundleUserCodeLoader();
function rebuild(job: JobSubmissionInfo): Promise<StreamGraph> { return userCode.loadStreamGraph(job, `slot ${data.slotIndex}`); }

async function submit(tdd: TaskDeploymentDescriptor, job: JobSubmissionInfo): Promise<void> {
  let sg: StreamGraph;
  try {
    sg = await graphFor(job);
  } catch (e) {
    actions.updateTaskExecutionState({ jobId: tdd.jobId, executionAttemptId: tdd.executionAttemptId, state: 'FAILED', error: serializeThrowable(e, `${tdd.taskName} (${tdd.subtaskIndex + 1}/${tdd.numberOfSubtasks})`) });
    return;
  }
  if (canceledEarly.delete(tdd.executionAttemptId)) {
    actions.updateTaskExecutionState({ jobId: tdd.jobId, executionAttemptId: tdd.executionAttemptId, state: 'CANCELED' });
    return;
  }
  const task = new Task(tdd, { shuffle, actions, jobGraph: job.jobGraph, streamGraph: sg, autoWatermarkInterval: data.autoWatermarkInterval, metricGroup });
  tasks.set(tdd.executionAttemptId, task);
  runningMetrics.taskAdded();
  try { await task.start(); } finally {
    tasks.delete(tdd.executionAttemptId);
    runningMetrics.taskRemoved();
  }
}

port.on('message', (m: ToSlot) => {
  switch (m.t) {
    case 'connect': shuffle.addSlotConnection(m.peer, m.port); break;
    case 'uplink': shuffle.setRemoteUplink(m.port); break;
    case 'submit': void submit(m.tdd, m.job); break;
    case 'cancel': {
      const t = tasks.get(m.attemptId);
      if (t) t.cancel(); else canceledEarly.add(m.attemptId);
      break;
    }
    case 'opEvent': tasks.get(m.attemptId)?.deliverOperatorEvent(m.nodeId, m.event); break;
    case 'checkpoint': if (m.cmd.kind === 'trigger') traceCheckpoint('slot-received', m.cmd.checkpointId, `slot ${data.slotIndex}`); tasks.get(m.attemptId)?.handleCheckpointCommand(m.cmd); break;
    case 'releaseJob': graphs.delete(m.jobId); shuffle.releasePartitionsOfJob(m.jobId, `job ${m.jobId} ended`); break;
    case 'releasePartitions': shuffle.releasePartitions(m.partitionIds, `the JobMaster of job ${m.jobId} released it`); break;
    case 'sampleMetrics': post({ t: 'threadMetrics', metrics: sampleThreadMetrics(shuffle.pool, shuffle.config.bufferSize) }); break;
    case 'dumpMetrics': post({ t: 'metricDump', id: m.id, dump: metricRegistry.dump() }); break;
    case 'threadInfo': {
      const lines = [...tasks.values()].map((t) => `  ${t.taskNameWithSubtask} [${t.tdd.executionAttemptId}] ${t.state}`);
      const heap = getHeapStatistics();
      post({ t: 'threadInfo', id: m.id, info: `"slot-${data.slotIndex}" worker thread, heap ${heap.used_heap_size} / ${heap.heap_size_limit} bytes, ${tasks.size} task(s)\n${lines.join('\n')}` });
      break;
    }
  }
});
// Ready once the runtime the job bundles import is loaded: every slot then starts its tasks
// equally fast (a slot that cannot load it fails here, at TaskManager start, not per job).
await preloadTsflinkRuntime();
post({ t: 'ready' });
