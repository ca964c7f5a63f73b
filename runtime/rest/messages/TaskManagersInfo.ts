// GET /taskmanagers and /taskmanagers/:taskmanagerid (Flink's TaskManagersInfo, TaskManagerDetailsInfo).
import type { RegisteredTaskExecutor } from '../../jobmanager/resourcemanager/SlotManager.js';
import { type TaskManagerMetrics, zeroMetrics } from '../../taskmanager/TaskManagerMetrics.js';
import { reachableHost } from '../../metrics/MetricRegistry.js';

const MB = 1024 * 1024;

/** Flink's ResourceProfileInfo (memory in MB). */
export interface ResourceProfileInfo {
  cpuCores: number;
  taskHeapMemory: number;
  taskOffHeapMemory: number;
  managedMemory: number;
  networkMemory: number;
  extendedResources: Record<string, number>;
}

export interface TaskManagerInfo {
  id: string;
  path: string;
  dataPort: number;
  jmxPort: number;
  /** As in Flink, despite the name: the epoch ms of the last heartbeat. */
  timeSinceLastHeartbeat: number;
  slotsNumber: number;
  freeSlots: number;
  totalResource: ResourceProfileInfo;
  freeResource: ResourceProfileInfo;
  /** Flink's HardwareDescription; as there, `freeMemory` is the heap size (here: the V8 heap limits of the TaskManager's threads). */
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  memoryConfiguration: {
    frameworkHeap: number; taskHeap: number; frameworkOffHeap: number; taskOffHeap: number; networkMemory: number;
    managedMemory: number; jvmMetaspace: number; jvmOverhead: number; totalFlinkMemory: number; totalProcessMemory: number;
  };
  blocked: boolean;
  /** tsflink: where the TaskManager's logs are served, when the deployment knows (YARN: its NodeManager's containerlogs page). */
  logUrl?: string;
  /** tsflink: the metric reporters the TaskManager serves (Prometheus: scrape http://host:port/metrics). */
  metricReporters?: Array<{ name: string; host: string; port: number }>;
}
export interface TaskManagersInfo { taskmanagers: TaskManagerInfo[] }

export interface TaskManagerDetailsInfo extends TaskManagerInfo {
  allocatedSlots: Array<{ jobId: string; resource: ResourceProfileInfo }>;
  /**
   * Flink's TaskManagerMetricsInfo with V8's values (see TaskManagerMetrics): read from in-process
   * TaskExecutors when asked, from the latest heartbeat for remote TaskManagers (zeros before the first).
   */
  metrics: TaskManagerMetrics;
}

function slotResource(te: RegisteredTaskExecutor, slots: number): ResourceProfileInfo {
  const n = te.slots.length || 1;
  return {
    cpuCores: (te.info.cpuCores / n) * slots,
    taskHeapMemory: Math.round((te.info.slotHeapMemory * slots) / MB),
    taskOffHeapMemory: 0,
    managedMemory: 0,
    networkMemory: 0,
    extendedResources: {},
  };
}

/** Resource id (YARN: container id) → log URL, or undefined when unknown. */
export type TaskManagerLogUrl = (resourceId: string) => string | undefined;

export function taskManagerInfo(te: RegisteredTaskExecutor, logUrl?: TaskManagerLogUrl): TaskManagerInfo {
  const url = te.info.resourceId && logUrl ? logUrl(te.info.resourceId) : undefined;
  const free = te.slots.filter((s) => s === null).length;
  const taskHeap = te.info.slotHeapMemory * te.slots.length;
  const frameworkHeap = te.info.frameworkHeapMemory ?? 0;
  // tsflink reserves no off-heap, network (buffers are created on demand) or managed memory.
  const totalFlinkMemory = frameworkHeap + taskHeap;
  return {
    id: te.gateway.taskManagerId,
    // Flink gives the actor path; tsflink's TaskManagers are addressed by host and id.
    path: `tsflink://${te.info.host}/taskmanager/${te.gateway.taskManagerId}`,
    dataPort: te.info.dataPort,
    jmxPort: -1,
    timeSinceLastHeartbeat: te.lastHeartbeat,
    slotsNumber: te.slots.length,
    freeSlots: free,
    totalResource: slotResource(te, te.slots.length),
    freeResource: slotResource(te, free),
    hardware: { cpuCores: te.info.cpuCores, physicalMemory: te.info.physicalMemory, freeMemory: totalFlinkMemory, managedMemory: 0 },
    memoryConfiguration: {
      frameworkHeap, taskHeap, frameworkOffHeap: 0, taskOffHeap: 0, networkMemory: 0, managedMemory: 0,
      jvmMetaspace: 0, jvmOverhead: 0, totalFlinkMemory, totalProcessMemory: te.info.processMemory || totalFlinkMemory,
    },
    blocked: false,
    ...(url !== undefined ? { logUrl: url } : {}),
    ...(te.info.metricReporters ? { metricReporters: te.info.metricReporters.map((r) => ({ ...r, host: reachableHost(r.host, te.info.host) })) } : {}),
  };
}

export function taskManagersInfo(tes: RegisteredTaskExecutor[], logUrl?: TaskManagerLogUrl): TaskManagersInfo {
  return { taskmanagers: tes.map((te) => taskManagerInfo(te, logUrl)) };
}

export function taskManagerDetailsInfo(te: RegisteredTaskExecutor, logUrl?: TaskManagerLogUrl): TaskManagerDetailsInfo {
  return {
    ...taskManagerInfo(te, logUrl),
    allocatedSlots: te.slots.filter((s): s is string => s !== null).map((jobId) => ({ jobId, resource: slotResource(te, 1) })),
    metrics: te.gateway.metrics?.() ?? te.metrics ?? zeroMetrics(),
  };
}
