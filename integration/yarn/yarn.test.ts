/**
 * YARN protocol clients against the real Hadoop minicluster (integration/hadoop): nothing
 * YARN-side is mocked. The cluster is started (or reused) by integration/hadoop/cluster.mjs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessControlException,
  ApplicationNotFoundException,
  HadoopSiteConfig,
  InvalidResourceRequestException,
  IpcConnectError,
  IpcConnection,
  RemoteException,
  SaslException,
  currentHadoopUser,
  serializeCredentials,
  pbDecode,
  rmSchedulerEndpoint,
} from '../../yarn-am/ipc/index.js';
import {
  AMRMClient,
  APPLICATION_CLIENT_PROTOCOL,
  APPLICATION_MASTER_PROTOCOL,
  NMClient,
  RM_SCHEDULER_ADDRESS_ENV,
  UnknownQueueError,
  YarnClient,
  formatApplicationId,
  formatContainerId,
  localResourceFromUri,
  type ApplicationId,
  type ApplicationSubmissionContext,
  type Container,
} from '../../yarn-am/protocols/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_AM_JS = join(REPO, 'dist', 'yarn-am', 'protocols', 'testing', 'containerTestAm.js');
const APP_TYPE = 'TSFLINK-IPC-TEST';

interface ClusterInfo {
  hadoopConfDir: string;
  resourceManager: string;
  resourceManagerScheduler: string;
  namenode: string;
  namenodeRpcPort: number;
  webhdfs: string;
  superuser?: string;
  nodemanagers: { nodeId: string; logDirs: string }[];
}

let cluster: ClusterInfo;
let conf: HadoopSiteConfig;
let yarn: YarnClient;

beforeAll(async () => {
  const mod = (await import('../hadoop/cluster.mjs')) as { startCluster(): Promise<{ info: ClusterInfo }> };
  cluster = (await mod.startCluster()).info;
  conf = HadoopSiteConfig.load(cluster.hadoopConfDir);
  yarn = YarnClient.fromConfiguration(conf);
  // The in-container test AM runs from dist/; compile (tsc emits even if unrelated files have errors).
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.json')], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // errors elsewhere in the tree do not stop emit; the existence check below is what matters
  }
  if (!existsSync(TEST_AM_JS)) throw new Error(`${TEST_AM_JS} was not built`);
}, 600_000);

afterAll(() => yarn?.close());

function submissionContext(applicationId: ApplicationId, name: string, commands: string[], extra: Partial<ApplicationSubmissionContext> = {}): ApplicationSubmissionContext {
  return {
    applicationId,
    applicationName: name,
    applicationType: APP_TYPE,
    applicationTags: ['tsflink-ipc-test'],
    maxAppAttempts: 1,
    resource: { memoryMb: 256, vcores: 1 },
    amContainerSpec: { commands },
    ...extra,
  };
}

/** `<NM log dir>/<appId>/<containerId>/<file>` of the app's first (AM) container, searched on every NM. */
function amContainerLog(appId: ApplicationId, file: string): string {
  const app = formatApplicationId(appId);
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, app);
      if (!existsSync(dir)) continue;
      const amDir = readdirSync(dir).filter((d) => d.endsWith('_000001'))[0];
      if (amDir && existsSync(join(dir, amDir, file))) return readFileSync(join(dir, amDir, file), 'utf8');
    }
  }
  throw new Error(`no ${file} for ${app} in NM log dirs`);
}

/** Uploads a small file through WebHDFS (two-step create) and returns its HDFS length and mtime. */
async function putHdfs(path: string, content: string): Promise<{ size: number; mtime: number }> {
  const user = cluster.superuser ?? process.env['USER'] ?? 'root';
  const base = `${cluster.webhdfs}/webhdfs/v1${path}`;
  const first = await fetch(`${base}?op=CREATE&overwrite=true&user.name=${user}`, { method: 'PUT', redirect: 'manual' });
  const location = first.headers.get('location');
  if (!location) throw new Error(`WebHDFS CREATE gave ${first.status} without redirect`);
  // node:http rather than fetch: the DataNode answers "100 Continue" first, which undici rejects.
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(location, { method: 'PUT' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(content);
  });
  if (status !== 201) throw new Error(`WebHDFS write ${status}`);
  const st = (await (await fetch(`${base}?op=GETFILESTATUS&user.name=${user}`)).json()) as { FileStatus: { length: number; modificationTime: number } };
  return { size: st.FileStatus.length, mtime: st.FileStatus.modificationTime };
}

describe('ApplicationClientProtocol', () => {
  it('getClusterNodes returns the 2 RUNNING NodeManagers; getClusterMetrics agrees', async () => {
    const nodes = await yarn.getClusterNodes();
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(n.state).toBe('RUNNING');
      expect(n.nodeId.port).toBeGreaterThan(0);
      expect(n.capability?.memoryMb).toBeGreaterThan(0);
    }
    expect(new Set(nodes.map((n) => `${n.nodeId.host}:${n.nodeId.port}`))).toEqual(new Set(cluster.nodemanagers.map((n) => n.nodeId)));
    const m = await yarn.getClusterMetrics();
    expect(m.numNodeManagers).toBe(2);
    expect(m.numActiveNodeManagers).toBe(2);
  });

  it('shell AM with file: and hdfs: local resources runs (exits without registering → FAILED, stdout in its log dir)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-'));
    const local = join(dir, 'local.txt');
    writeFileSync(local, 'from-local-file\n');
    const st = statSync(local);
    const hdfsPath = `/tmp/tsflink-yarn-test/${Date.now()}/remote.txt`;
    const remote = await putHdfs(hdfsPath, 'from-hdfs\n');
    const { applicationId, maximumCapability } = await yarn.getNewApplication();
    expect(maximumCapability.memoryMb).toBeGreaterThan(0);
    await yarn.submitApplication(
      submissionContext(applicationId, 'shell-am', ["/bin/sh -c 'echo hi; cat local.txt remote.txt; echo env=$TSFLINK_X; exit 0' 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr"], {
        amContainerSpec: {
          commands: ["/bin/sh -c 'echo hi; cat local.txt remote.txt; echo env=$TSFLINK_X; exit 0' 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr"],
          environment: { TSFLINK_X: 'yes' },
          localResources: {
            'local.txt': localResourceFromUri(`file://${local}`, st.size, Math.floor(st.mtimeMs)),
            'remote.txt': localResourceFromUri(`${cluster.namenode}${hdfsPath}`, remote.size, remote.mtime, 'FILE', 'APPLICATION'),
          },
        },
      }),
    );
    const report = await yarn.waitForApplication(applicationId, { timeoutMs: 90_000 });
    // YARN semantics: an AM that exits without unregistering fails its attempt, even with exit code 0.
    expect(report.state).toBe('FAILED');
    expect(report.diagnostics).toMatch(/exitCode: 0/);
    expect(report.name).toBe('shell-am');
    expect(report.applicationType).toBe(APP_TYPE);
    expect(report.applicationTags).toContain('tsflink-ipc-test');
    expect(amContainerLog(applicationId, 'stdout')).toBe('hi\nfrom-local-file\nfrom-hdfs\nenv=yes\n');
    const listed = await yarn.getApplications({ applicationTypes: [APP_TYPE] });
    expect(listed.map((a) => formatApplicationId(a.applicationId))).toContain(formatApplicationId(applicationId));
  }, 120_000);

  it('forceKillApplication on a running (registered, heartbeating) app → KILLED', async () => {
    const { applicationId } = await yarn.getNewApplication();
    const cmd = `${process.execPath} ${TEST_AM_JS} 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr`;
    await yarn.submitApplication(
      submissionContext(applicationId, 'heartbeater', [cmd], {
        amContainerSpec: { commands: [cmd], environment: { [RM_SCHEDULER_ADDRESS_ENV]: cluster.resourceManagerScheduler, TSFLINK_TEST_AM_MODE: 'heartbeat' } },
      }),
    );
    // RUNNING only after the AM registered through ApplicationMasterProtocol.
    await yarn.waitForApplication(applicationId, { until: (r) => r.state === 'RUNNING', timeoutMs: 60_000 });
    const report = await yarn.killApplication(applicationId, { diagnostics: 'killed by tsflink test' });
    expect(report.state).toBe('KILLED');
    expect(report.finalStatus).toBe('KILLED');
    expect(report.diagnostics).toContain('killed by tsflink test');
  }, 90_000);

  it('unknown queue → UnknownQueueError with YARN message', async () => {
    const { applicationId } = await yarn.getNewApplication();
    const err = await yarn.submitApplication(submissionContext(applicationId, 'bad-queue', ['true'], { queue: 'no-such-queue' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownQueueError);
    expect((err as UnknownQueueError).diagnostics).toContain('unknown queue: no-such-queue');
    expect((err as Error).message).toContain(formatApplicationId(applicationId));
  });

  it('AM memory above the scheduler maximum → InvalidResourceRequestException', async () => {
    const { applicationId, maximumCapability } = await yarn.getNewApplication();
    const err = await yarn
      .submitApplication(submissionContext(applicationId, 'too-big', ['true'], { resource: { memoryMb: maximumCapability.memoryMb * 4, vcores: 1 } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResourceRequestException);
    expect((err as RemoteException).className).toBe('org.apache.hadoop.yarn.exceptions.InvalidResourceRequestException');
    expect((err as RemoteException).serverMessage).toMatch(/greater than maximum allowed allocation/);
    // the connection stays usable after an ERROR reply
    expect((await yarn.getClusterNodes()).length).toBe(2);
  });

  it('unknown application → ApplicationNotFoundException', async () => {
    const err = await yarn.getApplicationReport({ id: 9999, clusterTimestamp: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationNotFoundException);
    expect((err as Error).message).toContain("Application with id 'application_1_9999' doesn't exist in RM");
  });

  it('RM address with nothing listening → ConnectionRefused naming the address and its yarn-site.xml', async () => {
    const probe = createServer();
    const port = await new Promise<number>((res) => probe.listen(0, '127.0.0.1', () => res((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-conf-'));
    writeFileSync(join(dir, 'yarn-site.xml'), `<configuration><property><name>yarn.resourcemanager.address</name><value>127.0.0.1:${port}</value></property></configuration>`);
    const bad = YarnClient.fromConfiguration(HadoopSiteConfig.load(dir), { connectAttempts: 2, connectRetryDelayMs: 50 });
    const err = await bad.getClusterNodes().catch((e: unknown) => e);
    bad.close();
    expect(err).toBeInstanceOf(IpcConnectError);
    expect((err as IpcConnectError).name).toBe('ConnectionRefused');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toContain(`yarn.resourcemanager.address in ${join(dir, 'yarn-site.xml')}`);
  });
});

describe('IPC connection behaviour against the real RM', () => {
  it('idle pings (callId -4) are accepted: the connection stays open and usable', async () => {
    const [host, port] = cluster.resourceManager.split(':') as [string, string];
    const conn = await IpcConnection.open({
      host,
      port: Number(port),
      protocol: APPLICATION_CLIENT_PROTOCOL,
      auth: { method: 'SIMPLE', user: currentHadoopUser() },
      pingIntervalMs: 1000,
    });
    try {
      const first = pbDecode('hadoop.yarn.GetClusterMetricsResponseProto', await conn.call('getClusterMetrics', 'hadoop.yarn.GetClusterMetricsRequestProto', {}, 10_000));
      expect(first['cluster_metrics']).toBeDefined();
      await new Promise((r) => setTimeout(r, 3500)); // several ping intervals with no calls
      expect(conn.isOpen).toBe(true);
      const again = pbDecode('hadoop.yarn.GetClusterMetricsResponseProto', await conn.call('getClusterMetrics', 'hadoop.yarn.GetClusterMetricsRequestProto', {}, 10_000));
      expect((again['cluster_metrics'] as { num_node_managers: number }).num_node_managers).toBe(2);
    } finally {
      conn.close();
    }
  });

  it('SIMPLE auth on the scheduler port (TOKEN only) → AccessControlException, also for later calls', async () => {
    const [host, port] = cluster.resourceManagerScheduler.split(':') as [string, string];
    const conn = await IpcConnection.open({ host, port: Number(port), protocol: APPLICATION_MASTER_PROTOCOL, auth: { method: 'SIMPLE', user: currentHadoopUser() } });
    // The RM answers the preamble with FATAL and closes. Let that arrive first: a call written after the
    // close can hit a TCP reset that discards the FATAL frame (then it is a ConnectionClosedError).
    await new Promise((r) => setTimeout(r, 500));
    const err = await conn.call('allocate', 'hadoop.yarn.AllocateRequestProto', {}, 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessControlException);
    expect((err as RemoteException).fatal).toBe(true);
    expect((err as Error).message).toContain('SIMPLE authentication is not enabled');
    expect(conn.isOpen).toBe(false);
    await expect(conn.call('allocate', 'hadoop.yarn.AllocateRequestProto', {}, 10_000)).rejects.toBeInstanceOf(AccessControlException);
  });

  it('an unknown method is an ERROR reply (RpcNoSuchMethodException-like) and the connection survives', async () => {
    const [host, port] = cluster.resourceManager.split(':') as [string, string];
    const conn = await IpcConnection.open({ host, port: Number(port), protocol: APPLICATION_CLIENT_PROTOCOL, auth: { method: 'SIMPLE', user: currentHadoopUser() } });
    try {
      const err = await conn.call('noSuchMethod', 'hadoop.yarn.GetClusterMetricsRequestProto', {}, 10_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteException);
      expect((err as RemoteException).fatal).toBe(false);
      console.log('[yarn-test] unknown method:', (err as RemoteException).className, (err as RemoteException).serverMessage);
      expect(conn.isOpen).toBe(true);
      await conn.call('getClusterMetrics', 'hadoop.yarn.GetClusterMetricsRequestProto', {}, 10_000);
    } finally {
      conn.close();
    }
  });
});

describe('ApplicationMasterProtocol + ContainerManagementProtocol', () => {
  it('unmanaged AM in this process: register, allocate, start/stop a container with the NMToken, finish SUCCEEDED', async () => {
    const { applicationId } = await yarn.getNewApplication();
    await yarn.submitApplication(submissionContext(applicationId, 'unmanaged-am', [], { unmanagedAm: true }));
    const launched = await yarn.waitForApplication(applicationId, { until: (r) => r.amRmToken !== undefined, timeoutMs: 60_000 });
    expect(launched.amRmToken?.kind).toBe('YARN_AM_RM_TOKEN');
    const am = new AMRMClient({ endpoint: rmSchedulerEndpoint(conf), amrmToken: launched.amRmToken! });
    const nm = new NMClient(am.nmTokens);
    try {
      const reg = await am.registerApplicationMaster({ host: 'localhost', rpcPort: -1, trackingUrl: '' });
      expect(reg.maximumCapability.memoryMb).toBeGreaterThan(0);
      const ask = [{ priority: 1, resourceName: '*', capability: { memoryMb: 128, vcores: 1 }, numContainers: 1 }];
      let container: Container | undefined;
      let lastResponseId = 0;
      let allocated = 0;
      for (let i = 0; i < 100 && !container; i++) {
        // The ask is sent once: it sets the outstanding total, which the RM decrements as it allocates.
        const r = await am.allocate({ ask: i === 0 ? ask : [], progress: 0.1 });
        allocated += r.allocatedContainers.length;
        expect(r.responseId).toBe(lastResponseId + 1); // the client echoes the RM's response_id
        lastResponseId = r.responseId;
        container = r.allocatedContainers[0];
        if (!container) await new Promise((res) => setTimeout(res, 200));
      }
      expect(container).toBeDefined();
      expect(am.nmTokens.get(container!.nodeId)).toBeDefined();
      await nm.startContainer(container!, { commands: ['sleep 30'] });
      const st = await nm.getContainerStatuses(container!.nodeId, [container!.id]);
      expect(st.statuses[0]?.state).toBe('RUNNING');
      await nm.stopContainer(container!.nodeId, container!.id);
      let completed = false;
      for (let i = 0; i < 100 && !completed; i++) {
        const r = await am.allocate({ progress: 0.9 });
        allocated += r.allocatedContainers.length;
        completed = r.completedContainerStatuses.some((s) => formatContainerId(s.containerId) === formatContainerId(container!.id));
        if (!completed) await new Promise((res) => setTimeout(res, 200));
      }
      expect(completed).toBe(true);
      expect(allocated).toBe(1);
      // NM-side per-container failures come back in failed_requests as typed errors.
      const bogus = { ...container!.id, id: container!.id.id + 999 };
      const stopBogus = await nm.stopContainers(container!.nodeId, [bogus]);
      expect(stopBogus.succeeded).toEqual([]);
      expect(stopBogus.failed).toHaveLength(1);
      expect(stopBogus.failed[0]!.error).toBeInstanceOf(RemoteException);
      expect(formatContainerId(stopBogus.failed[0]!.containerId)).toBe(formatContainerId(bogus));
      console.log('[yarn-test] stop of unknown container:', stopBogus.failed[0]!.error.className, stopBogus.failed[0]!.error.serverMessage);
      await am.finishApplicationMaster({ finalStatus: 'SUCCEEDED', diagnostics: 'unmanaged ok' });
    } finally {
      nm.close();
      am.close();
    }
    const report = await yarn.waitForApplication(applicationId, { timeoutMs: 60_000 });
    expect(report.state).toBe('FINISHED');
    expect(report.finalStatus).toBe('SUCCEEDED');
    expect(report.diagnostics).toBe('unmanaged ok');
    expect(report.unmanaged).toBe(true);
  }, 120_000);

  it('a wrong AMRMToken password is refused during SASL with a typed error', async () => {
    const { applicationId } = await yarn.getNewApplication();
    await yarn.submitApplication(submissionContext(applicationId, 'bad-token', [], { unmanagedAm: true }));
    const launched = await yarn.waitForApplication(applicationId, { until: (r) => r.amRmToken !== undefined, timeoutMs: 60_000 });
    const token = { ...launched.amRmToken!, password: Buffer.from('not-the-password') };
    const am = new AMRMClient({ endpoint: rmSchedulerEndpoint(conf), amrmToken: token });
    const err = await am.registerApplicationMaster({ host: 'localhost' }).catch((e: unknown) => e);
    am.close();
    expect(err).toBeInstanceOf(RemoteException);
    expect((err as RemoteException).fatal).toBe(true);
    // RM: "javax.security.sasl.SaslException: DIGEST-MD5: digest response format violation. Mismatched response."
    expect(err).toBeInstanceOf(SaslException);
    expect((err as RemoteException).serverMessage).toMatch(/DIGEST-MD5/);
    await yarn.killApplication(applicationId);
  }, 90_000);

  it('in-container TypeScript AM (token file → AMRM → NM) finishes FINISHED/SUCCEEDED', async () => {
    const { applicationId } = await yarn.getNewApplication();
    const cmd = `${process.execPath} ${TEST_AM_JS} 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr`;
    await yarn.submitApplication(
      submissionContext(applicationId, 'ts-am', [cmd], {
        amContainerSpec: {
          commands: [cmd],
          environment: { [RM_SCHEDULER_ADDRESS_ENV]: cluster.resourceManagerScheduler },
          // A token and a secret in Hadoop's HDTS format: the NM merges them into the AM's container_tokens.
          tokens: serializeCredentials({
            tokens: [['extra', { identifier: Buffer.from('id'), password: Buffer.from('pw'), kind: 'TSFLINK_TEST', service: 'svc:1' }]],
            secrets: [['tsflink.secret', Buffer.from('s3cret')]],
          }),
        },
      }),
    );
    const report = await yarn.waitForApplication(applicationId, { timeoutMs: 120_000 });
    // The app turns FINISHED at unregistration; the attempt stays FINISHING until the AM process exits.
    // Wait for that before reading the AM's logs, which may still be receiving its last lines.
    let attempt = report.currentApplicationAttemptId ? await yarn.getApplicationAttemptReport(report.currentApplicationAttemptId) : undefined;
    for (let i = 0; i < 150 && attempt && attempt.state === 'FINISHING'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      attempt = await yarn.getApplicationAttemptReport(report.currentApplicationAttemptId!);
    }
    const stdout = amContainerLog(applicationId, 'stdout');
    const stderr = amContainerLog(applicationId, 'stderr');
    const why = `diagnostics: ${report.diagnostics}\nAM stdout:\n${stdout}\nAM stderr:\n${stderr}`;
    expect(report.state, why).toBe('FINISHED');
    expect(report.finalStatus, why).toBe('SUCCEEDED');
    expect(attempt?.state).toBe('FINISHED');
    expect(formatContainerId(attempt!.amContainerId!)).toMatch(/_01_000001$/);
    expect(report.diagnostics).toMatch(/started, stopped and completed/);
    expect(stdout).toContain('[test-am] registered');
    expect(stdout).toMatch(/\[test-am\] credentials: tokens=.*YARN_AM_RM_TOKEN@/);
    expect(stdout).toMatch(/\[test-am\] credentials: tokens=.*TSFLINK_TEST@svc:1/);
    expect(stdout).toContain('secrets=tsflink.secret=s3cret');
    expect(stdout).toMatch(/\[test-am\] completed container_\S+ exit=-105 state=COMPLETE/); // -105 KILLED_BY_APPMASTER
    expect(stdout).toContain('[test-am] unregistered SUCCEEDED');
  }, 150_000);
});
