// A JobManager's or TaskManager's process metrics under Flink's `Status.JVM.*` names, with Node's
// values: V8 heap (summed over the process's threads when a sampler says so), RSS, CPU, the
// event loop's delay, GC counts and pauses. Sampled when read, at most once per read round.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { AbstractMetricGroup } from './groups/AbstractMetricGroup.js';

/** Memory and GC values of the process's V8 isolates (TaskManagerMetrics has this shape). */
export interface ProcessMemorySample {
  heapUsed: number; heapCommitted: number; heapMax: number;
  nonHeapUsed: number; nonHeapCommitted: number;
  directUsed: number; directMax: number;
  garbageCollectors: ReadonlyArray<{ name: string; count: number; time: number }>;
}

export interface ProcessMetricsOptions {
  /** Heap/GC of the whole process; called at most once per 200 ms however many gauges read it. */
  sample: () => ProcessMemorySample;
  /** Threads of the process that run JavaScript (main + worker slots). */
  threads?: () => number;
  /** GC kinds to register up front (more appear as V8 reports them). */
  garbageCollectors?: readonly string[];
}

const GC_KINDS = ['Scavenge', 'MarkSweepCompact', 'IncrementalMarking', 'ProcessWeakCallbacks'];

export function registerProcessMetrics(group: AbstractMetricGroup, opts: ProcessMetricsOptions): void {
  let cached: ProcessMemorySample | null = null;
  let cachedAt = 0;
  const s = (): ProcessMemorySample => {
    const now = Date.now();
    if (!cached || now - cachedAt > 200) { cached = opts.sample(); cachedAt = now; }
    return cached;
  };
  const jvm = group.addGroup('Status').addGroup('JVM');
  const heap = jvm.addGroup('Memory').addGroup('Heap');
  heap.gauge('Used', () => s().heapUsed);
  heap.gauge('Committed', () => s().heapCommitted);
  heap.gauge('Max', () => s().heapMax);
  const nonHeap = jvm.addGroup('Memory').addGroup('NonHeap');
  nonHeap.gauge('Used', () => s().nonHeapUsed);
  nonHeap.gauge('Committed', () => s().nonHeapCommitted);
  const direct = jvm.addGroup('Memory').addGroup('Direct');
  direct.gauge('MemoryUsed', () => s().directUsed);
  direct.gauge('TotalCapacity', () => s().directMax);
  jvm.addGroup('Memory').gauge('RSS', () => process.memoryUsage.rss());

  // CPU.Load: share of one core used since the previous read (Flink: recent CPU usage of the process); CPU.Time: ns.
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  let load = 0;
  const cpu = jvm.addGroup('CPU');
  cpu.gauge('Load', () => {
    const now = process.hrtime.bigint();
    const elapsedUs = Number(now - lastAt) / 1000;
    if (elapsedUs >= 100_000) {
      const d = process.cpuUsage(lastCpu);
      load = (d.user + d.system) / elapsedUs;
      lastCpu = process.cpuUsage();
      lastAt = now;
    }
    return load;
  });
  cpu.gauge('Time', () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; });
  jvm.addGroup('Threads').gauge('Count', () => opts.threads?.() ?? 1);

  const gc = jvm.addGroup('GarbageCollector');
  const registered = new Set<string>();
  const addGc = (name: string): void => {
    if (registered.has(name)) return;
    registered.add(name);
    const g = gc.addGroup(name);
    g.gauge('Count', () => s().garbageCollectors.find((x) => x.name === name)?.count ?? 0);
    g.gauge('Time', () => s().garbageCollectors.find((x) => x.name === name)?.time ?? 0);
  };
  for (const k of opts.garbageCollectors ?? GC_KINDS) addGc(k);

  // The event loop's scheduling delay (what a blocked loop costs every timer and RPC), in ms.
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  group.addCloseHook(() => h.disable());
  const delay = group.addGroup('Status').addGroup('EventLoop').addGroup('Delay');
  const ms = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
  delay.gauge('Mean', () => ms(h.mean));
  delay.gauge('Max', () => ms(h.max));
  delay.gauge('P99', () => ms(h.percentile(99)));
}
