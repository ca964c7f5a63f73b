// GET /taskmanagers and /taskmanagers/:taskmanagerid (Flink's TaskManagersInfo, TaskManagerDetailsInfo).
import type { RegisteredTaskExecutor } from '../../jobmanager/resourcemanager/SlotManager.js';

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
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  memoryConfiguration: {
    frameworkHeap: number; taskHeap: number; frameworkOffHeap: number; taskOffHeap: number; networkMemory: number;
    managedMemory: number; jvmMetaspace: number; jvmOverhead: number; totalFlinkMemory: number; totalProcessMemory: number;
  };
  blocked: boolean;
  /** tsflink: where the TaskManager's logs are served, when the deployment knows (YARN: its NodeManager's containerlogs page). */
  logUrl?: string;
}
export interface TaskManagersInfo { taskmanagers: TaskManagerInfo[] }

export interface TaskManagerDetailsInfo extends TaskManagerInfo {
  allocatedSlots: Array<{ jobId: string; resource: ResourceProfileInfo }>;
  /** The TaskManager's JVM metrics in Flink; tsflink does not report them yet (zeros). */
  metrics: {
    heapUsed: number; heapCommitted: number; heapMax: number;
    nonHeapUsed: number; nonHeapCommitted: number; nonHeapMax: number;
    directCount: number; directUsed: number; directMax: number;
    mappedCount: number; mappedUsed: number; mappedMax: number;
    memorySegmentsAvailable: number; memorySegmentsTotal: number;
    garbageCollectors: Array<{ name: string; count: number; time: number }>;
  };
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
    hardware: { cpuCores: te.info.cpuCores, physicalMemory: te.info.physicalMemory, freeMemory: 0, managedMemory: 0 },
    memoryConfiguration: {
      frameworkHeap: 0, taskHeap, frameworkOffHeap: 0, taskOffHeap: 0, networkMemory: 0, managedMemory: 0,
      jvmMetaspace: 0, jvmOverhead: 0, totalFlinkMemory: te.info.processMemory, totalProcessMemory: te.info.processMemory,
    },
    blocked: false,
    ...(url !== undefined ? { logUrl: url } : {}),
  };
}

export function taskManagersInfo(tes: RegisteredTaskExecutor[], logUrl?: TaskManagerLogUrl): TaskManagersInfo {
  return { taskmanagers: tes.map((te) => taskManagerInfo(te, logUrl)) };
}

export function taskManagerDetailsInfo(te: RegisteredTaskExecutor, logUrl?: TaskManagerLogUrl): TaskManagerDetailsInfo {
  return {
    ...taskManagerInfo(te, logUrl),
    allocatedSlots: te.slots.filter((s): s is string => s !== null).map((jobId) => ({ jobId, resource: slotResource(te, 1) })),
    metrics: {
      heapUsed: 0, heapCommitted: 0, heapMax: 0, nonHeapUsed: 0, nonHeapCommitted: 0, nonHeapMax: 0,
      directCount: 0, directUsed: 0, directMax: 0, mappedCount: 0, mappedUsed: 0, mappedMax: 0,
      memorySegmentsAvailable: 0, memorySegmentsTotal: 0, garbageCollectors: [],
    },
  };
}
