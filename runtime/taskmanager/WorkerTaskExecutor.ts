import { Worker, MessageChannel } from 'node:worker_threads';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TaskExecutorGateway, JobMasterGateway, JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { TaskDeploymentDescriptor } from './TaskDeploymentDescriptor.js';
import type { CheckpointCommand } from '../checkpoint/CheckpointMessages.js';
import { traceCheckpoint } from '../checkpoint/CheckpointTrace.js';
import type { ToSlot, FromSlot, SlotWorkerData } from './slot/SlotMessages.js';
import { type Configuration, TaskManagerOptions, PipelineOptions, HeartbeatManagerOptions, packageRoot } from '../configuration/index.js';
import { isTerminal } from '../graph/executiongraph/ExecutionState.js';
import type { TcpConnectionManager } from '../network/tcp/TcpConnectionManager.js';
import type { TaskExecutorRegistrationInfo } from '../jobmanager/resourcemanager/SlotManager.js';
import { type TaskManagerMetrics, heapLimit, registerShuffleMetrics, sampleThreadMetrics, startGcMonitor, sumMetrics } from './TaskManagerMetrics.js';
import { MetricRegistry, TaskManagerMetricGroup, registerProcessMetrics, type MetricGroupDump } from '../metrics/index.js';
import { networkConfigFromConfiguration } from './NetworkEnvironmentConfiguration.js';
import type { NetworkConfig } from '../network/index.js';

const MB = 1024 * 1024;

/**
 * A TaskManager whose slots are worker threads, each with its own heap limit. Slots are
 * connected pairwise by MessagePorts that carry all their channels. A slot that dies (e.g.
 * out of memory) fails only its own tasks and is replaced.
 */
export class WorkerTaskExecutor implements TaskExecutorGateway {
  readonly singleThreaded = false;
  private readonly workers: Array<Worker | null> = [];
  private readonly attemptSlot = new Map<string, { slot: number; jobId: string }>();
  private readonly heapMb: number;
  /** Built once: its blocking-shuffle read budget is one SharedArrayBuffer that every slot shares. */
  private readonly networkConfig: NetworkConfig;
  /** Each slot's latest memory/GC sample (its own isolate); refreshed whenever metrics() is asked. */
  private readonly slotMetrics: Array<TaskManagerMetrics | null> = [];
  private closing = false;
  /** The TaskManager's metrics: this thread's group; slots keep their tasks' groups and answer 'dumpMetrics'. */
  readonly metricGroup: TaskManagerMetricGroup;
  private readonly pendingSlotRequests = new Map<number, (v: unknown) => void>();
  private nextRequestId = 1;

  /** The data plane to other TaskManagers (distributed mode); every slot gets an uplink to it. */
  private dataPlane: TcpConnectionManager | null = null;

  constructor(readonly numberOfSlots: number, private readonly conf: Configuration, private readonly jobMaster: (jobId: string) => JobMasterGateway | undefined,
    readonly taskManagerId: string = `tm-${randomBytes(4).toString('hex')}`, metricGroup?: TaskManagerMetricGroup) {
    const explicit = conf.getOptional(TaskManagerOptions.TASK_HEAP_MEMORY);
    this.heapMb = Math.max(128, Math.floor(explicit !== undefined ? explicit / MB : (0.75 * conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY)) / MB / numberOfSlots));
    startGcMonitor();
    this.networkConfig = networkConfigFromConfiguration(conf);
    this.metricGroup = metricGroup ?? new TaskManagerMetricGroup(new MetricRegistry(), 'localhost', taskManagerId);
    let last: { at: number; m: TaskManagerMetrics } | null = null;
    // One sample per read round (this also asks every slot for a fresh one).
    const sample = (): TaskManagerMetrics => { const now = Date.now(); if (!last || now - last.at > 200) last = { at: now, m: this.metrics() }; return last.m; };
    registerProcessMetrics(this.metricGroup, { sample, threads: () => 1 + this.workers.filter((w) => w !== null).length });
    registerShuffleMetrics(this.metricGroup, sample);
    this.metricGroup.registry.addSource(async () => (await this.askSlots<MetricGroupDump[]>((id) => ({ t: 'dumpMetrics', id }))).flat());
  }

  /** Every metric of this TaskManager: its own groups and each live slot's. */
  requestMetricDump(): Promise<readonly MetricGroupDump[]> { return this.metricGroup.registry.collect(); }

  /** Asks every live slot and collects the answers (a slot that does not answer within 2 s is left out). */
  askSlots<T>(request: (id: number) => ToSlot): Promise<T[]> {
    const asks: Array<Promise<T | undefined>> = [];
    for (let i = 0; i < this.numberOfSlots; i++) {
      const w = this.workers[i];
      if (!w) continue;
      const id = this.nextRequestId++;
      asks.push(new Promise<T | undefined>((resolve) => {
        const timer = setTimeout(() => { this.pendingSlotRequests.delete(id); resolve(undefined); }, 2000);
        timer.unref();
        this.pendingSlotRequests.set(id, (v) => { clearTimeout(timer); resolve(v as T); });
        w.postMessage(request(id));
      }));
    }
    return Promise.all(asks).then((r) => r.filter((x): x is Awaited<T> => x !== undefined) as T[]);
  }

  /** What the ResourceManager shows of this TaskManager's memory (REST hardware / memoryConfiguration). */
  registrationInfo(): Partial<TaskExecutorRegistrationInfo> {
    return { processMemory: this.conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY), slotHeapMemory: this.heapMb * MB, frameworkHeapMemory: heapLimit() };
  }

  /**
   * Memory/GC metrics of the whole TaskManager: this thread's values now plus each slot's latest
   * sample; the slots are asked for fresh ones, which the next call sees (one heartbeat behind).
   */
  metrics(): TaskManagerMetrics {
    const samples = [sampleThreadMetrics()];
    for (let i = 0; i < this.numberOfSlots; i++) {
      const s = this.slotMetrics[i];
      if (s) samples.push(s);
      this.send(i, { t: 'sampleMetrics' });
    }
    return sumMetrics(samples);
  }

  private workerData(slotIndex: number): SlotWorkerData {
    return {
      slotIndex,
      network: this.networkConfig,
      autoWatermarkInterval: this.conf.get(PipelineOptions.AUTO_WATERMARK_INTERVAL),
      metricsInterval: this.conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL),
      metrics: { host: this.metricGroup.host, taskManagerId: this.metricGroup.taskManagerId },
    };
  }

  async start(dataPlane?: TcpConnectionManager): Promise<void> {
    this.dataPlane = dataPlane ?? null;
    await Promise.all(Array.from({ length: this.numberOfSlots }, (_, i) => this.spawn(i)));
    for (let i = 0; i < this.numberOfSlots; i++) for (let j = i + 1; j < this.numberOfSlots; j++) this.connect(i, j);
  }

  private attachUplink(slot: number): void {
    if (!this.dataPlane) return;
    const port = this.dataPlane.attachSlot(slot);
    this.workers[slot]!.postMessage({ t: 'uplink', port } satisfies ToSlot, [port]);
  }

  private connect(i: number, j: number): void {
    const { port1, port2 } = new MessageChannel();
    this.workers[i]!.postMessage({ t: 'connect', peer: j, port: port1 } satisfies ToSlot, [port1]);
    this.workers[j]!.postMessage({ t: 'connect', peer: i, port: port2 } satisfies ToSlot, [port2]);
  }

  private spawn(slot: number): Promise<void> {
    const w = new Worker(join(packageRoot(), 'dist', 'runtime', 'taskmanager', 'slot', 'SlotWorker.js'), {
      workerData: this.workerData(slot),
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      stdout: false,
      stderr: false,
    });
    this.workers[slot] = w;
    return new Promise((resolve, reject) => {
      let ready = false;
      w.on('message', (m: FromSlot) => {
        if (m.t === 'ready') { ready = true; this.attachUplink(slot); w.postMessage({ t: 'sampleMetrics' } satisfies ToSlot); resolve(); return; }
        if (m.t === 'threadMetrics') { if (this.workers[slot] === w) this.slotMetrics[slot] = m.metrics; return; }
        if (m.t === 'metricDump' || m.t === 'threadInfo') {
          const r = this.pendingSlotRequests.get(m.id);
          this.pendingSlotRequests.delete(m.id);
          r?.(m.t === 'metricDump' ? m.dump : m.info);
          return;
        }
        this.onMessage(m);
      });
      w.on('error', (e) => {
        if (!ready) { reject(e); return; }
        this.slotLost(slot, e);
      });
      w.on('exit', (code) => {
        if (!ready) reject(new Error(`slot ${slot} exited with code ${code} while starting`));
        else if (!this.closing && this.workers[slot] === w) this.slotLost(slot, new Error(`slot ${slot} exited with code ${code}`));
      });
    });
  }

  private onMessage(m: FromSlot): void {
    if (m.t === 'state') {
      const u = m.update;
      if (isTerminal(u.state)) this.attemptSlot.delete(u.executionAttemptId);
      this.jobMaster(u.jobId)?.updateTaskExecutionState(u);
    } else if (m.t === 'metrics') {
      for (const r of m.reports) if (this.attemptSlot.has(r.executionAttemptId)) this.jobMaster(r.jobId)?.updateTaskMetrics(r.executionAttemptId, r.io);
    } else if (m.t === 'toCoordinator') {
      this.jobMaster(m.jobId)?.sendOperatorEventToCoordinator(m.attemptId, m.nodeId, m.event);
    } else if (m.t === 'checkpointResponse') {
      this.jobMaster(m.jobId)?.reportCheckpoint(m.response);
    }
  }

  /** A slot worker died: fail its tasks with the reason, then start a fresh worker for the slot. */
  private slotLost(slot: number, cause: Error): void {
    if (this.workers[slot] === null) return;
    this.workers[slot] = null;
    this.slotMetrics[slot] = null;
    const oom = (cause as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const message = oom
      ? `Slot ${slot} of TaskManager ${this.taskManagerId} ran out of memory (heap limit ${this.heapMb} MB). ` +
        "Raise 'taskmanager.memory.task.heap.size' (per slot) or 'taskmanager.memory.process.size', or lower the state kept per slot."
      : `Slot ${slot} of TaskManager ${this.taskManagerId} died: ${cause.message}`;
    for (const [attemptId, { slot: s, jobId }] of [...this.attemptSlot]) {
      if (s !== slot) continue;
      this.attemptSlot.delete(attemptId);
      this.jobMaster(jobId)?.updateTaskExecutionState({ jobId, executionAttemptId: attemptId, state: 'FAILED', error: { name: oom ? 'OutOfMemoryError' : 'SlotLostError', message } });
    }
    if (this.closing) return;
    void this.spawn(slot).then(() => {
      for (let j = 0; j < this.numberOfSlots; j++) if (j !== slot && this.workers[j]) this.connect(Math.min(slot, j), Math.max(slot, j));
    }).catch(() => { /* the slot stays down; its tasks already failed */ });
  }

  private send(slot: number, m: ToSlot): void { this.workers[slot]?.postMessage(m); }

  submitTask(tdd: TaskDeploymentDescriptor, slotIndex: number, job: JobSubmissionInfo): void {
    if (!this.workers[slotIndex]) {
      queueMicrotask(() => this.jobMaster(tdd.jobId)?.updateTaskExecutionState({ jobId: tdd.jobId, executionAttemptId: tdd.executionAttemptId, state: 'FAILED', error: { name: 'SlotLostError', message: `slot ${slotIndex} is not available` } }));
      return;
    }
    this.attemptSlot.set(tdd.executionAttemptId, { slot: slotIndex, jobId: tdd.jobId });
    this.send(slotIndex, { t: 'submit', tdd, job });
  }

  /** Returns false when the attempt is not (or no longer) here. */
  cancelTask(attemptId: string): boolean {
    const a = this.attemptSlot.get(attemptId);
    if (a) this.send(a.slot, { t: 'cancel', attemptId });
    return a !== undefined;
  }

  /** The JobManager is gone: cancel everything running here (its tasks are failed over there). */
  cancelAll(): void { for (const id of [...this.attemptSlot.keys()]) this.cancelTask(id); }

  sendOperatorEventToTask(attemptId: string, nodeId: number, event: unknown): void {
    const a = this.attemptSlot.get(attemptId);
    if (a) this.send(a.slot, { t: 'opEvent', attemptId, nodeId, event });
  }

  sendCheckpointCommand(attemptId: string, cmd: CheckpointCommand): void {
    const a = this.attemptSlot.get(attemptId);
    if (cmd.kind === 'trigger') traceCheckpoint('te-received', cmd.checkpointId, `slot ${a?.slot}`);
    if (a) this.send(a.slot, { t: 'checkpoint', attemptId, cmd });
  }

  releaseJob(jobId: string): void { for (let i = 0; i < this.numberOfSlots; i++) this.send(i, { t: 'releaseJob', jobId }); }

  /** Partition ids do not say which slot holds them: every slot releases those it has. */
  releasePartitions(jobId: string, partitionIds: string[]): void { for (let i = 0; i < this.numberOfSlots; i++) this.send(i, { t: 'releasePartitions', jobId, partitionIds }); }

  async close(): Promise<void> {
    this.closing = true;
    this.metricGroup.close();
    await Promise.all(this.workers.map((w) => w?.terminate()));
  }
}
