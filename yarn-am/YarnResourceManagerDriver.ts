/**
 * The YARN side of tsflink's ResourceManager (Flink's YarnResourceManagerDriver + ActiveResourceManager):
 * asks the RM scheduler for TaskManager containers when the SlotManager has slot requests no
 * registered TaskManager can serve, launches TaskManagers in them through the NodeManagers,
 * replaces containers that exit while still needed, and returns idle ones.
 *
 * One allocate heartbeat every `heartbeatIntervalMs` (faster while containers are requested) is
 * also the AM's liveness signal. Asks are totals (they replace the RM's outstanding count for
 * the (priority, resource) key), so an ask is sent only when the wanted total changes.
 */
import type { AMRMClient, AllocateResponse } from './protocols/AMRMClient.js';
import type { NMClient } from './protocols/NMClient.js';
import { formatContainerId, type Container, type ContainerId, type ContainerLaunchContext, type ContainerStatus, type Resource } from './protocols/records.js';
import type { SlotManager } from '../runtime/jobmanager/resourcemanager/SlotManager.js';

export type DriverLogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface YarnResourceManagerDriverOptions {
  amrm: AMRMClient;
  nm: NMClient;
  slotManager: SlotManager;
  /** Container size of one TaskManager (taskmanager.memory.process.size, yarn.containers.vcores). */
  resource: Resource;
  /** taskmanager.numberOfTaskSlots of the TaskManagers this driver starts. */
  slotsPerTaskManager: number;
  /** Launch context of a TaskManager in an allocated container (its id becomes the TaskManager's resource id). */
  launchContext: (container: Container) => ContainerLaunchContext;
  /** Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** Heartbeat while containers are requested; default 500 ms. */
  pendingHeartbeatIntervalMs?: number;
  /** A registered TaskManager without allocated slots for this long is stopped (resourcemanager.taskmanager-timeout). */
  idleTimeoutMs: number;
  /** Containers that may fail (exit before or while being needed) before the driver gives up; default 10. */
  maxFailedContainers?: number;
  /** Heartbeats to the RM may fail for this long before the driver gives up; default 60 s. */
  rmUnreachableTimeoutMs?: number;
  /** Container priority of TaskManager requests; default 1. */
  priority?: number;
  log?: (level: DriverLogLevel, message: string) => void;
  /** The driver cannot go on (RM SHUTDOWN command, too many failed containers, RM unreachable). */
  onFatalError: (reason: string) => void;
  /** The RM lost this attempt's registration (RESYNC): register again before the next heartbeat. */
  reRegister: () => Promise<void>;
  /** 0..1 for allocate's progress field. */
  progress?: () => number;
  /** The user the containers run as (their NodeManager log URLs name it); unset = no log URLs. */
  containerUser?: string;
}

/** Where a NodeManager serves a container's logs (while it keeps them): its web UI's containerlogs page. */
export function nodeManagerLogUrl(nodeHttpAddress: string, containerId: string, user: string): string {
  const base = /^https?:\/\//.test(nodeHttpAddress) ? nodeHttpAddress.replace(/\/+$/, '') : `http://${nodeHttpAddress}`;
  return `${base}/node/containerlogs/${containerId}/${encodeURIComponent(user)}`;
}

interface TrackedContainer {
  container: Container;
  id: string;
  state: 'launching' | 'running';
  /** Since when its TaskManager is registered without allocated slots (0 = not idle). */
  idleSince: number;
  stopping: boolean;
}

export interface DriverStats {
  requestedContainers: number;
  allocatedContainers: number;
  startedContainers: number;
  completedContainers: number;
  failedContainers: number;
  releasedIdleContainers: number;
}

export class YarnResourceManagerDriver {
  private readonly o: YarnResourceManagerDriverOptions;
  private readonly containers = new Map<string, TrackedContainer>();
  /** What the RM still owes us according to our last ask, minus what it allocated since. */
  private outstandingAtRm = 0;
  private release: ContainerId[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private beating: Promise<void> | null = null;
  private lastRmSuccess = Date.now();
  private lastFailure = '';
  private readonly priority: number;
  readonly stats: DriverStats = { requestedContainers: 0, allocatedContainers: 0, startedContainers: 0, completedContainers: 0, failedContainers: 0, releasedIdleContainers: 0 };

  constructor(opts: YarnResourceManagerDriverOptions) {
    this.o = opts;
    this.priority = opts.priority ?? 1;
  }

  private log(level: DriverLogLevel, msg: string): void {
    (this.o.log ?? ((l, m) => process.stderr.write(`${new Date().toISOString()} ${l} YarnResourceManagerDriver ${m}\n`)))(level, msg);
  }

  /** Starts the heartbeat loop and listens to the SlotManager's missing slots. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.o.slotManager.setResourceRequirementsListener((missing) => {
      // New demand: heartbeat now rather than at the next tick.
      if (missing > 0 && this.running && !this.beating) this.schedule(0);
    });
    this.schedule(0);
  }

  /** Containers we hold (launching or running). */
  get numberOfContainers(): number {
    return this.containers.size;
  }

  containerIds(): string[] {
    return [...this.containers.keys()];
  }

  /** The NodeManager log URL of a container we hold (a TaskManager's resource id is its container id). */
  containerLogUrl(containerId: string): string | undefined {
    const t = this.containers.get(containerId);
    if (!t || !this.o.containerUser || !t.container.nodeHttpAddress) return undefined;
    return nodeManagerLogUrl(t.container.nodeHttpAddress, containerId, this.o.containerUser);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.beating = this.heartbeat().finally(() => {
        this.beating = null;
        this.schedule(this.outstandingAtRm > 0 ? (this.o.pendingHeartbeatIntervalMs ?? 500) : (this.o.heartbeatIntervalMs ?? 1000));
      });
    }, ms);
  }

  /** Slots that TaskManagers in containers we launched will bring once they register. */
  private slotsOnTheWay(registered: Set<string>): number {
    let n = 0;
    for (const c of this.containers.values()) if (!c.stopping && !registered.has(c.id)) n += this.o.slotsPerTaskManager;
    return n;
  }

  private wantedContainers(registered: Set<string>): number {
    const missing = Math.max(0, this.o.slotManager.missingSlots - this.slotsOnTheWay(registered));
    return Math.ceil(missing / this.o.slotsPerTaskManager);
  }

  private registeredResourceIds(): Set<string> {
    const s = new Set<string>();
    for (const te of this.o.slotManager.registered()) if (te.info.resourceId) s.add(te.info.resourceId);
    return s;
  }

  private async heartbeat(): Promise<void> {
    let registered = this.registeredResourceIds();
    const wanted = this.wantedContainers(registered);
    const req: Parameters<AMRMClient['allocate']>[0] = { progress: this.o.progress?.() ?? 0 };
    if (wanted !== this.outstandingAtRm) {
      req.ask = [{ priority: this.priority, resourceName: '*', capability: this.o.resource, numContainers: wanted }];
      if (wanted > this.outstandingAtRm) {
        this.stats.requestedContainers += wanted - this.outstandingAtRm;
        this.log('INFO', `Requesting ${wanted} TaskManager container(s) of ${this.o.resource.memoryMb} MB / ${this.o.resource.vcores} vcore(s) (missing slots: ${this.o.slotManager.missingSlots})`);
      }
    }
    if (this.release.length) req.release = this.release;
    let r: AllocateResponse;
    try {
      r = await this.o.amrm.allocate(req);
    } catch (e) {
      const down = Date.now() - this.lastRmSuccess;
      this.log('WARN', `allocate heartbeat failed (${down} ms since the last success): ${(e as Error).message}`);
      if (down > (this.o.rmUnreachableTimeoutMs ?? 60_000)) this.fatal(`The YARN ResourceManager scheduler was unreachable for ${down} ms: ${(e as Error).message}`);
      return;
    }
    this.lastRmSuccess = Date.now();
    if (req.ask) this.outstandingAtRm = wanted;
    if (req.release) this.release = [];
    if (r.amCommand === 'SHUTDOWN') {
      this.fatal('The YARN ResourceManager told the ApplicationMaster to shut down');
      return;
    }
    if (r.amCommand === 'RESYNC') {
      this.log('WARN', 'The YARN ResourceManager asked for a resync: registering again');
      this.outstandingAtRm = 0; // the RM forgot our asks
      try { await this.o.reRegister(); } catch (e) { this.fatal(`Re-registering with the ResourceManager failed: ${(e as Error).message}`); }
      return;
    }
    for (const s of r.completedContainerStatuses) this.onCompleted(s);
    registered = this.registeredResourceIds();
    for (const c of r.allocatedContainers) {
      this.stats.allocatedContainers++;
      this.outstandingAtRm = Math.max(0, this.outstandingAtRm - 1);
      const missing = Math.max(0, this.o.slotManager.missingSlots - this.slotsOnTheWay(registered));
      if (missing <= 0 || !this.running) {
        this.log('INFO', `Returning surplus container ${formatContainerId(c.id)}`);
        this.release.push(c.id);
        continue;
      }
      this.launch(c);
    }
    this.releaseIdle(registered);
  }

  private launch(c: Container): void {
    const id = formatContainerId(c.id);
    const t: TrackedContainer = { container: c, id, state: 'launching', idleSince: 0, stopping: false };
    this.containers.set(id, t);
    const logs = this.containerLogUrl(id);
    this.log('INFO', `Launching TaskManager in ${id} on ${c.nodeId.host}:${c.nodeId.port} (${c.resource.memoryMb} MB, ${c.resource.vcores} vcores)${logs ? `; logs: ${logs}` : ''}`);
    let ctx: ContainerLaunchContext;
    try {
      ctx = this.o.launchContext(c);
    } catch (e) {
      this.containerFailed(t, `building its launch context failed: ${(e as Error).message}`);
      return;
    }
    this.o.nm.startContainer(c, ctx).then(
      () => {
        t.state = 'running';
        this.stats.startedContainers++;
      },
      (e: unknown) => this.containerFailed(t, `the NodeManager refused to start it: ${(e as Error).message}`),
    );
  }

  private containerFailed(t: TrackedContainer, why: string): void {
    const logs = this.containerLogUrl(t.id);
    if (!this.containers.delete(t.id)) return;
    this.release.push(t.container.id);
    this.countFailure(`${t.id}: ${why}${logs ? ` (logs: ${logs})` : ''}`);
  }

  private countFailure(what: string): void {
    this.stats.failedContainers++;
    this.lastFailure = what;
    this.log('WARN', `TaskManager container failed: ${what}`);
    const max = this.o.maxFailedContainers ?? 10;
    if (this.stats.failedContainers > max) this.fatal(`${this.stats.failedContainers} TaskManager containers failed (more than ${max}); last: ${what}`);
  }

  private onCompleted(s: ContainerStatus): void {
    const id = formatContainerId(s.containerId);
    const t = this.containers.get(id);
    this.stats.completedContainers++;
    if (!t) return; // released surplus or already forgotten
    const logs = this.containerLogUrl(id);
    this.containers.delete(id);
    if (t.stopping) {
      this.log('INFO', `Container ${id} stopped (exit ${s.exitStatus})`);
      return;
    }
    // The JobManager notices the lost TaskManager by its connection; the SlotManager then reports
    // the slots a restarted job needs again, and the next heartbeat asks for a replacement.
    this.countFailure(`${id} exited with ${s.exitStatus}${s.diagnostics ? `: ${s.diagnostics.trim().slice(0, 2000)}` : ''}${logs ? ` (logs: ${logs})` : ''}`);
  }

  private releaseIdle(registered: Set<string>): void {
    const now = Date.now();
    const byResource = new Map<string, { slots: Array<string | null>; taskManagerId: string }>();
    for (const te of this.o.slotManager.registered()) if (te.info.resourceId) byResource.set(te.info.resourceId, { slots: te.slots, taskManagerId: te.gateway.taskManagerId });
    for (const t of this.containers.values()) {
      if (t.stopping || !registered.has(t.id)) continue;
      const te = byResource.get(t.id);
      const idle = (te?.slots ?? []).every((s) => s === null);
      if (!idle || this.o.slotManager.missingSlots > 0) { t.idleSince = 0; continue; }
      if (t.idleSince === 0) { t.idleSince = now; continue; }
      if (now - t.idleSince >= this.o.idleTimeoutMs) {
        this.log('INFO', `Releasing idle TaskManager container ${t.id} (no slots allocated for ${now - t.idleSince} ms)`);
        this.stats.releasedIdleContainers++;
        // Take its slots away first, so no job is given a slot of a TaskManager that is going away.
        if (te) this.o.slotManager.unregisterTaskExecutor(te.taskManagerId);
        void this.stopContainer(t);
      }
    }
  }

  private async stopContainer(t: TrackedContainer): Promise<void> {
    t.stopping = true;
    try {
      await this.o.nm.stopContainer(t.container.nodeId, t.container.id);
    } catch (e) {
      this.log('WARN', `Stopping ${t.id} failed: ${(e as Error).message}`);
    }
    this.release.push(t.container.id);
  }

  private fatal(reason: string): void {
    if (!this.running) return;
    this.log('ERROR', reason);
    this.o.onFatalError(reason);
  }

  /** The last container failure, for diagnostics. */
  get lastContainerFailure(): string {
    return this.lastFailure;
  }

  /** Stops the heartbeat loop, stops every TaskManager container and returns them to the RM. */
  async stop(): Promise<void> {
    this.running = false;
    this.o.slotManager.setResourceRequirementsListener(null);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.beating?.catch(() => undefined);
    const all = [...this.containers.values()].filter((t) => !t.stopping);
    await Promise.all(all.map((t) => this.stopContainer(t)));
    this.containers.clear();
    const ask = this.outstandingAtRm > 0 ? [{ priority: this.priority, resourceName: '*', capability: this.o.resource, numContainers: 0 }] : [];
    if (this.release.length || ask.length) {
      await this.o.amrm.allocate({ ask, release: this.release, progress: 1 }).catch((e: unknown) => this.log('WARN', `Returning containers failed: ${(e as Error).message}`));
      this.release = [];
      this.outstandingAtRm = 0;
    }
  }
}
