// A TaskManager's memory and GC metrics (Flink's TaskManagerMetricsInfo), mapped to Node/V8.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { MetricGroup } from '../api/functions/RuntimeContext.js';

/**
 * Flink's TaskManagerMetricsInfo, with Node's values (docs/rest.md): one thread's (V8 isolate's)
 * sample, or the sum over a TaskManager's threads (main thread and worker slots, each its own heap).
 * - heap*: V8 heap used / committed (total_heap_size) / limit (heap_size_limit);
 * - nonHeap*: memory V8 itself malloc'ed outside the heap (used = committed); no limit (max 0);
 * - direct*: ArrayBuffer bytes (used) and all external memory V8 accounts for (max, includes the ArrayBuffers); no count (0);
 * - mapped*: Node has no memory-mapped buffers (0);
 * - memorySegments* / nettyShuffle*: the network buffer pools (buffers created on demand / free in the pool);
 * - garbageCollectors: V8 GCs by kind since the TaskManager started (count, total pause ms).
 */
export interface TaskManagerMetrics {
  heapUsed: number; heapCommitted: number; heapMax: number;
  nonHeapUsed: number; nonHeapCommitted: number; nonHeapMax: number;
  directCount: number; directUsed: number; directMax: number;
  mappedCount: number; mappedUsed: number; mappedMax: number;
  /** Flink keeps these two as deprecated aliases of nettyShuffleMemorySegmentsAvailable/Total. */
  memorySegmentsAvailable: number; memorySegmentsTotal: number;
  nettyShuffleMemorySegmentsAvailable: number; nettyShuffleMemorySegmentsUsed: number; nettyShuffleMemorySegmentsTotal: number;
  nettyShuffleMemoryAvailable: number; nettyShuffleMemoryUsed: number; nettyShuffleMemoryTotal: number;
  garbageCollectors: Array<{ name: string; count: number; time: number }>;
}

export function zeroMetrics(): TaskManagerMetrics {
  return {
    heapUsed: 0, heapCommitted: 0, heapMax: 0, nonHeapUsed: 0, nonHeapCommitted: 0, nonHeapMax: 0,
    directCount: 0, directUsed: 0, directMax: 0, mappedCount: 0, mappedUsed: 0, mappedMax: 0,
    memorySegmentsAvailable: 0, memorySegmentsTotal: 0,
    nettyShuffleMemorySegmentsAvailable: 0, nettyShuffleMemorySegmentsUsed: 0, nettyShuffleMemorySegmentsTotal: 0,
    nettyShuffleMemoryAvailable: 0, nettyShuffleMemoryUsed: 0, nettyShuffleMemoryTotal: 0,
    garbageCollectors: [],
  };
}

const GC_NAMES: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'MarkSweepCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'IncrementalMarking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'ProcessWeakCallbacks',
};

// Per thread (module state is per isolate): GC counts and pause time by kind, since startGcMonitor().
const gcStats = new Map<string, { count: number; time: number }>();
let gcObserver: PerformanceObserver | null = null;

/** Starts counting this thread's GCs (idempotent). Node reports GCs as performance entries: no per-record work. */
export function startGcMonitor(): void {
  if (gcObserver) return;
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1;
      const name = GC_NAMES[kind] ?? `GC-${kind}`;
      const s = gcStats.get(name);
      if (s) { s.count++; s.time += e.duration; } else gcStats.set(name, { count: 1, time: e.duration });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

/** A network buffer pool's counts (ShuffleEnvironment.pool). */
export interface BufferPoolCounts { readonly numAllocated: number; readonly numFree: number }

/** This thread's values: a handful of V8 calls, made when a heartbeat (or REST) asks, never per record. */
export function sampleThreadMetrics(pool?: BufferPoolCounts, bufferSize = 0): TaskManagerMetrics {
  const h = getHeapStatistics();
  const mu = process.memoryUsage();
  const total = pool?.numAllocated ?? 0;
  const available = Math.min(pool?.numFree ?? 0, total);
  return {
    ...zeroMetrics(),
    heapUsed: h.used_heap_size,
    heapCommitted: h.total_heap_size,
    heapMax: h.heap_size_limit,
    nonHeapUsed: h.malloced_memory,
    nonHeapCommitted: h.malloced_memory,
    directUsed: mu.arrayBuffers,
    directMax: Math.max(mu.external, mu.arrayBuffers),
    memorySegmentsAvailable: available,
    memorySegmentsTotal: total,
    nettyShuffleMemorySegmentsAvailable: available,
    nettyShuffleMemorySegmentsUsed: total - available,
    nettyShuffleMemorySegmentsTotal: total,
    nettyShuffleMemoryAvailable: available * bufferSize,
    nettyShuffleMemoryUsed: (total - available) * bufferSize,
    nettyShuffleMemoryTotal: total * bufferSize,
    garbageCollectors: [...gcStats].map(([name, s]) => ({ name, count: s.count, time: Math.round(s.time) })),
  };
}

/** The TaskManager's values: numbers add up over its threads, GCs merge by kind. */
export function sumMetrics(samples: TaskManagerMetrics[]): TaskManagerMetrics {
  const out = zeroMetrics();
  const gcs = new Map<string, { name: string; count: number; time: number }>();
  for (const s of samples) {
    for (const k of Object.keys(out) as Array<keyof TaskManagerMetrics>) {
      if (k !== 'garbageCollectors') out[k] += s[k];
    }
    for (const g of s.garbageCollectors) {
      const m = gcs.get(g.name);
      if (m) { m.count += g.count; m.time += g.time; } else gcs.set(g.name, { ...g });
    }
  }
  out.garbageCollectors = [...gcs.values()];
  return out;
}

/** Heap limit of this thread's isolate (the TaskManager's framework heap when asked on its main thread). */
export function heapLimit(): number { return getHeapStatistics().heap_size_limit; }

/** Flink's TaskManager shuffle metrics (`Status.Shuffle.Netty.*`) over this TaskManager's network buffer pools, read from `sample`. */
export function registerShuffleMetrics(group: MetricGroup, sample: () => TaskManagerMetrics): void {
  const g = group.addGroup('Status').addGroup('Shuffle').addGroup('Netty');
  g.gauge('AvailableMemorySegments', () => sample().nettyShuffleMemorySegmentsAvailable);
  g.gauge('UsedMemorySegments', () => sample().nettyShuffleMemorySegmentsUsed);
  g.gauge('TotalMemorySegments', () => sample().nettyShuffleMemorySegmentsTotal);
  g.gauge('AvailableMemory', () => sample().nettyShuffleMemoryAvailable);
  g.gauge('UsedMemory', () => sample().nettyShuffleMemoryUsed);
  g.gauge('TotalMemory', () => sample().nettyShuffleMemoryTotal);
  g.gauge('RequestedMemoryUsage', () => { const s = sample(); return s.nettyShuffleMemorySegmentsTotal === 0 ? 0 : s.nettyShuffleMemorySegmentsUsed / s.nettyShuffleMemorySegmentsTotal; });
}
