import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceManager } from '../jobmanager/resourcemanager/ResourceManager.js';
import { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import { RemoteTaskExecutorGateway } from '../jobmanager/resourcemanager/RemoteTaskExecutorGateway.js';
import { RpcServer, type RpcConnection } from '../rpc/RpcConnection.js';
import type { TaskExecutorRegistrationInfo } from '../jobmanager/resourcemanager/SlotManager.js';
import type { TaskExecutionState, TaskMetricsReport } from '../taskmanager/TaskDeploymentDescriptor.js';
import { type Configuration, JobManagerOptions, HeartbeatManagerOptions } from '../configuration/index.js';
import { createLogger } from './ClusterLog.js';
import { resolveBindHost, formatHostPort } from './BindAddress.js';
import { loadInternalTls } from '../security/SSLUtils.js';
import type { UserCodeLoader } from '../usercode/UserCodeLoader.js';
import { JobBundleUserCodeLoader } from '../usercode/JobBundleUserCodeLoader.js';
import { HighAvailabilityServices } from '../jobmanager/ha/HighAvailabilityServices.js';
import type { TaskManagerMetrics } from '../taskmanager/TaskManagerMetrics.js';
import type { CheckpointResponse } from '../checkpoint/CheckpointMessages.js';
import { MetricRegistry } from '../metrics/MetricRegistry.js';
import { type StartedReporter, startMetricReporters } from '../metrics/MetricReporters.js';

export interface JobManagerServices {
  dispatcher: Dispatcher;
  resourceManager: ResourceManager;
  rpcAddress: { host: string; port: number };
  /** The JobManager process's metrics (give it to the RestServerEndpoint: it registers the JobManager's metrics there). */
  metricRegistry: MetricRegistry;
  /** Metric reporters this process serves (metrics.reporter.*). */
  metricReporters: ReadonlyArray<{ name: string; host: string; port: number }>;
}

/**
 * The JobManager process of a standalone session cluster (Flink's StandaloneSessionClusterEntrypoint):
 * Dispatcher, ResourceManager and the control RPC endpoint TaskManagers register with. The REST
 * endpoint is started next to it by the caller. TaskManagers are watched with heartbeats; a lost
 * one frees its slots and fails its tasks.
 */
export class StandaloneSessionClusterEntrypoint {
  readonly resourceManager = new ResourceManager();
  readonly dispatcher: Dispatcher;
  private rpc: RpcServer | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly connections = new Map<string, { conn: RpcConnection; lastAnswer: number; inFlight: boolean }>();
  private readonly log = createLogger('JobManager');
  readonly metricRegistry = new MetricRegistry();
  private reporters: StartedReporter[] = [];

  constructor(readonly configuration: Configuration, private readonly secret: string, readonly workingDir: string, userCodeLoader: UserCodeLoader = new JobBundleUserCodeLoader()) {
    this.dispatcher = new Dispatcher(this.resourceManager, configuration, createLogger('JobMaster'), userCodeLoader, HighAvailabilityServices.fromConfiguration(configuration));
    mkdirSync(join(workingDir, 'blobs'), { recursive: true });
  }

  async start(): Promise<JobManagerServices> {
    const host = this.configuration.get(JobManagerOptions.ADDRESS);
    const port = this.configuration.get(JobManagerOptions.PORT);
    // security.ssl.internal.enabled: TaskManagers reach this endpoint over TLS with client certificates.
    const tls = loadInternalTls(this.configuration);
    this.rpc = new RpcServer(this.secret, (m, a, c) => this.handle(m, a, c), () => { /* registration comes as an RPC */ },
      (msg) => this.log('WARN', msg), undefined, tls);
    const bind = await resolveBindHost({
      what: 'JobManager RPC endpoint', bindKey: JobManagerOptions.BIND_HOST.key, bind: this.configuration.getOptional(JobManagerOptions.BIND_HOST),
      advertisedKey: JobManagerOptions.ADDRESS.key, advertised: host,
    });
    const addr = await this.rpc.start(bind, port);
    this.log('INFO', `RPC endpoint listening on ${formatHostPort(addr.host, addr.port)}, advertised as ${formatHostPort(host, addr.port)}${tls ? ' (TLS, client certificates required)' : ''}`);
    try {
      this.reporters = await startMetricReporters(this.configuration, this.metricRegistry, bind, (m) => this.log('INFO', m));
    } catch (e) {
      await this.rpc.close();
      throw e;
    }
    const interval = this.configuration.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), interval);
    this.heartbeatTimer.unref();
    // High availability: jobs a previous JobManager left running continue (they wait for TaskManagers' slots).
    const recovered = await this.dispatcher.recoverJobs(join(this.workingDir, 'blobs'));
    if (recovered.length > 0) this.log('INFO', `Recovered ${recovered.length} job(s) from high-availability storage: ${recovered.join(', ')}`);
    return { dispatcher: this.dispatcher, resourceManager: this.resourceManager, rpcAddress: addr, metricRegistry: this.metricRegistry,
      metricReporters: this.reporters.map((r) => ({ name: r.name, host: r.host, port: r.port })) };
  }

  private handle(method: string, args: unknown[], conn: RpcConnection): unknown {
    switch (method) {
      case 'registerTaskExecutor': {
        const [reg] = args as [{ taskManagerId: string; numSlots: number; info: TaskExecutorRegistrationInfo }];
        const gw = new RemoteTaskExecutorGateway(reg.taskManagerId, conn);
        conn.identity = reg.taskManagerId;
        this.resourceManager.registerTaskExecutor(gw, reg.numSlots, reg.info);
        this.connections.set(reg.taskManagerId, { conn, lastAnswer: Date.now(), inFlight: false });
        conn.on('close', (why: string) => this.taskManagerLost(reg.taskManagerId, `connection lost (${why})`, conn));
        this.log('INFO', `Registered TaskManager ${reg.taskManagerId} at ${reg.info.host} (data port ${reg.info.dataPort}) with ${reg.numSlots} slot(s)`);
        return { registered: true };
      }
      case 'updateTaskExecutionState': {
        const [u] = args as [TaskExecutionState];
        this.dispatcher.jobMasterGateway(u.jobId)?.updateTaskExecutionState(u);
        return null;
      }
      case 'sendOperatorEventToCoordinator': {
        const [jobId, attemptId, nodeId, event] = args as [string, string, number, unknown];
        this.dispatcher.jobMasterGateway(jobId)?.sendOperatorEventToCoordinator(attemptId, nodeId, event);
        return null;
      }
      case 'reportCheckpoint': {
        const [jobId, r] = args as [string, CheckpointResponse];
        this.dispatcher.jobMasterGateway(jobId)?.reportCheckpoint(r);
        return null;
      }
      case 'requestJobBundle': {
        const [jobId] = args as [string];
        const jm = this.dispatcher.getJob(jobId);
        const path = jm?.job.bundle?.path;
        if (!path) throw new Error(`No job bundle for job ${jobId}`);
        return readFileSync(path);
      }
      default:
        throw new Error(`Unknown JobManager RPC method '${method}'`);
    }
  }

  /** Heartbeat round: ask every TaskManager; one silent past the timeout is lost. */
  private heartbeat(): void {
    const timeout = this.configuration.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT);
    const now = Date.now();
    for (const [id, h] of this.connections) {
      if (now - h.lastAnswer > timeout) { this.taskManagerLost(id, `heartbeat of TaskManager ${id} timed out after ${timeout} ms`, h.conn); continue; }
      if (h.inFlight) continue;
      h.inFlight = true;
      h.conn.call<{ metrics?: TaskMetricsReport[]; taskManagerMetrics?: TaskManagerMetrics } | null>('heartbeat', [], timeout).then((answer) => {
        h.lastAnswer = Date.now();
        this.resourceManager.slotManager.heartbeatFrom(id, answer?.taskManagerMetrics);
        for (const r of answer?.metrics ?? []) this.dispatcher.jobMasterGateway(r.jobId)?.updateTaskMetrics(r.executionAttemptId, r.io);
      }, () => { /* counted by the timeout above */ }).finally(() => { h.inFlight = false; });
    }
  }

  private taskManagerLost(id: string, cause: string, conn: RpcConnection): void {
    const h = this.connections.get(id);
    if (!h || h.conn !== conn) return;
    this.connections.delete(id);
    this.log('WARN', `TaskManager ${id} lost: ${cause}`);
    this.resourceManager.slotManager.unregisterTaskExecutor(id);
    for (const jm of this.dispatcher.allJobs()) jm.taskManagerLost(id, cause);
    conn.close(cause);
  }

  async close(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.all(this.reporters.map((r) => r.close()));
    this.metricRegistry.close();
    await this.dispatcher.close();
    await this.rpc?.close();
  }
}
