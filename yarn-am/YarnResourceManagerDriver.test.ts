// YarnResourceManagerDriver against a scripted RM scheduler and NodeManager (the real-cluster
// path is covered by integration/yarn-app): ask totals, surplus release, replacement, idle release.
import { afterEach, describe, expect, it } from 'vitest';
import { nodeManagerLogUrl, YarnResourceManagerDriver, type YarnResourceManagerDriverOptions } from './YarnResourceManagerDriver.js';
import { SlotManager } from '../runtime/jobmanager/resourcemanager/SlotManager.js';
import type { TaskExecutorGateway } from '../runtime/jobmanager/gateways.js';
import type { AMRMClient, AllocateRequest, AllocateResponse } from './protocols/AMRMClient.js';
import type { NMClient } from './protocols/NMClient.js';
import { formatContainerId, type Container, type ContainerStatus } from './protocols/records.js';

const APP = { applicationId: { clusterTimestamp: 1700000000000, id: 7 }, attemptId: 1 };
let seq = 1;
function container(): Container {
  seq++;
  return {
    id: { applicationAttemptId: APP, id: seq },
    nodeId: { host: 'nm1', port: 1234 },
    nodeHttpAddress: 'nm1:8042',
    resource: { memoryMb: 512, vcores: 1 },
    priority: 1,
    containerToken: { identifier: new Uint8Array(), password: new Uint8Array(), kind: 'ContainerToken', service: 'nm1:1234' },
    allocationRequestId: 0,
  };
}

class FakeRm {
  readonly requests: AllocateRequest[] = [];
  /** Containers handed out with the next allocate answer. */
  toAllocate: Container[] = [];
  toComplete: ContainerStatus[] = [];
  command: AllocateResponse['amCommand'];
  async allocate(req: AllocateRequest = {}): Promise<AllocateResponse> {
    this.requests.push(req);
    const r: AllocateResponse = {
      amCommand: this.command,
      responseId: this.requests.length,
      allocatedContainers: this.toAllocate,
      completedContainerStatuses: this.toComplete,
      limit: undefined,
      updatedNodes: [],
      numClusterNodes: 1,
      nmTokens: [],
      amrmTokenRolled: false,
    };
    this.toAllocate = [];
    this.toComplete = [];
    return r;
  }
  asks(): number[] {
    return this.requests.filter((r) => r.ask?.length).map((r) => r.ask![0]!.numContainers);
  }
  released(): string[] {
    return this.requests.flatMap((r) => (r.release ?? []).map(formatContainerId));
  }
}

class FakeNm {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  async startContainer(c: Container): Promise<void> {
    this.started.push(formatContainerId(c.id));
  }
  async stopContainer(_n: unknown, id: Container['id']): Promise<void> {
    this.stopped.push(formatContainerId(id));
  }
}

function gateway(id: string): TaskExecutorGateway {
  return { taskManagerId: id, singleThreaded: false, submitTask() {}, cancelTask() {}, sendOperatorEventToTask() {}, releaseJob() {} };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let driver: YarnResourceManagerDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function setup(over: Partial<YarnResourceManagerDriverOptions> = {}): { rm: FakeRm; nm: FakeNm; sm: SlotManager; fatal: string[] } {
  const rm = new FakeRm();
  const nm = new FakeNm();
  const sm = new SlotManager();
  const fatal: string[] = [];
  driver = new YarnResourceManagerDriver({
    amrm: rm as unknown as AMRMClient,
    nm: nm as unknown as NMClient,
    slotManager: sm,
    resource: { memoryMb: 512, vcores: 1 },
    slotsPerTaskManager: 1,
    launchContext: () => ({ commands: ['true'] }),
    heartbeatIntervalMs: 10,
    pendingHeartbeatIntervalMs: 10,
    idleTimeoutMs: 60_000,
    log: () => undefined,
    onFatalError: (r) => fatal.push(r),
    reRegister: async () => undefined,
    ...over,
  });
  driver.start();
  return { rm, nm, sm, fatal };
}

/** Requests one slot for 'job', allocates and launches a container for it and registers its TaskManager as 'tm-a'. */
async function launchOneTaskManager(rm: FakeRm, nm: FakeNm, sm: SlotManager): Promise<Container> {
  void sm.requestSlots('job', 1, 10_000);
  await until(() => rm.asks().length === 1, 'ask');
  const a = container();
  rm.toAllocate = [a];
  await until(() => nm.started.length === 1, 'launch');
  sm.registerTaskExecutor(gateway('tm-a'), 1, { resourceId: formatContainerId(a.id) });
  return a;
}

describe('YarnResourceManagerDriver', () => {
  it("knows the NodeManager log URL of the containers it holds (the TaskManagers' logUrl)", async () => {
    expect(nodeManagerLogUrl('nm1:8042', 'container_1_0001_01_000002', 'ann')).toBe('http://nm1:8042/node/containerlogs/container_1_0001_01_000002/ann');
    expect(nodeManagerLogUrl('https://nm1:8044/', 'c', 'a b')).toBe('https://nm1:8044/node/containerlogs/c/a%20b');
    const { rm, nm, sm } = setup({ containerUser: 'ann' });
    sm.requestSlots('job', 1, 10_000).catch(() => undefined);
    await until(() => rm.asks().length === 1, 'an ask');
    const a = container();
    rm.toAllocate = [a];
    await until(() => nm.started.length === 1, 'launch');
    const id = formatContainerId(a.id);
    expect(driver!.containerLogUrl(id)).toBe(`http://nm1:8042/node/containerlogs/${id}/ann`);
    expect(driver!.containerLogUrl('container_1700000000000_0007_01_999999')).toBeUndefined();
  });
  it('asks once for the missing slots, launches what it needs and returns surplus containers', async () => {
    const { rm, nm, sm } = setup();
    await until(() => rm.requests.length >= 2, 'heartbeats');
    expect(rm.asks()).toEqual([]); // nothing needed yet
    const slots = sm.requestSlots('job', 2, 10_000);
    await until(() => rm.asks().length === 1, 'an ask');
    expect(rm.asks()).toEqual([2]);
    const [a, b, c] = [container(), container(), container()];
    rm.toAllocate = [a, b, c];
    await until(() => nm.started.length === 2 && rm.released().length === 1, 'launch + release');
    expect(nm.started).toEqual([formatContainerId(a.id), formatContainerId(b.id)]);
    expect(rm.released()).toEqual([formatContainerId(c.id)]);
    // the ask is a total: not repeated while unchanged (the RM decrements it itself)
    const n = rm.requests.length;
    await until(() => rm.requests.length > n + 3, 'more heartbeats');
    expect(rm.asks()).toEqual([2]);
    sm.registerTaskExecutor(gateway(formatContainerId(a.id)), 1, { resourceId: formatContainerId(a.id) });
    sm.registerTaskExecutor(gateway(formatContainerId(b.id)), 1, { resourceId: formatContainerId(b.id) });
    expect((await slots).map((s) => s.taskManagerId).sort()).toEqual([formatContainerId(a.id), formatContainerId(b.id)].sort());
    expect(driver!.numberOfContainers).toBe(2);
  });

  it('replaces a TaskManager container that exited while its slots are needed again', async () => {
    const { rm, nm, sm } = setup();
    const a = await launchOneTaskManager(rm, nm, sm);
    // the process dies: the JobManager unregisters it, the restarted job asks for its slot again
    rm.toComplete = [{ containerId: a.id, state: 'COMPLETE', diagnostics: 'killed', exitStatus: 137, capability: undefined }];
    await until(() => driver!.numberOfContainers === 0, 'completion seen');
    sm.unregisterTaskExecutor('tm-a');
    sm.releaseSlots('job');
    void sm.requestSlots('job', 1, 10_000);
    await until(() => rm.asks().length === 2, 'second ask');
    expect(rm.asks()).toEqual([1, 1]);
    expect(driver!.stats.failedContainers).toBe(1);
    const b = container();
    rm.toAllocate = [b];
    await until(() => nm.started.length === 2, 'replacement launch');
    expect(nm.started[1]).toBe(formatContainerId(b.id));
  });

  it('stops and releases a TaskManager idle for resourcemanager.taskmanager-timeout', async () => {
    const { rm, nm, sm } = setup({ idleTimeoutMs: 50 });
    const a = await launchOneTaskManager(rm, nm, sm);
    await new Promise((r) => setTimeout(r, 150));
    expect(nm.stopped).toEqual([]); // busy: its slot belongs to the job
    sm.releaseSlots('job');
    await until(() => nm.stopped.length === 1 && rm.released().includes(formatContainerId(a.id)), 'idle release');
    expect(driver!.stats.releasedIdleContainers).toBe(1);
    expect(sm.registered()).toEqual([]); // its slots were withdrawn before the stop
  });

  it('gives up after too many failed containers, and on the RM\'s SHUTDOWN command', async () => {
    const { rm, nm, sm, fatal } = setup({ maxFailedContainers: 1 });
    void sm.requestSlots('job', 1, 10_000).catch(() => undefined);
    await until(() => rm.asks().length === 1, 'ask');
    for (let i = 0; i < 2; i++) {
      const c = container();
      rm.toAllocate = [c];
      await until(() => nm.started.includes(formatContainerId(c.id)), 'launch');
      rm.toComplete = [{ containerId: c.id, state: 'COMPLETE', diagnostics: 'node: not found', exitStatus: 127, capability: undefined }];
      await until(() => driver!.numberOfContainers === 0, 'completion');
    }
    await until(() => fatal.length > 0, 'fatal');
    expect(fatal[0]).toMatch(/2 TaskManager containers failed \(more than 1\); last: container_\S+ exited with 127: node: not found/);
    rm.command = 'SHUTDOWN';
    await until(() => fatal.length > 1, 'shutdown');
    expect(fatal[1]).toContain('told the ApplicationMaster to shut down');
  });
});
