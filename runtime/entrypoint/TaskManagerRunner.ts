import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname, availableParallelism, totalmem } from 'node:os';
import { createHash } from 'node:crypto';
import { repinBundleCode } from '../usercode/JobBundle.js';
import { resolveBindHost, formatHostPort } from './BindAddress.js';
import { loadInternalTls, setInternalTls, internalTls } from '../security/SSLUtils.js';
import { WorkerTaskExecutor } from '../taskmanager/WorkerTaskExecutor.js';
import { connectRpc, type RpcConnection } from '../rpc/RpcConnection.js';
import { type TaskDeploymentDescriptor, type TaskExecutionState, type TaskIOMetrics, type TaskMetricsReport } from '../taskmanager/TaskDeploymentDescriptor.js';
import type { JobSubmissionInfo, JobMasterGateway } from '../jobmanager/gateways.js';
import { type Configuration, JobManagerOptions, TaskManagerOptions, HeartbeatManagerOptions } from '../configuration/index.js';
import { createLogger } from './ClusterLog.js';
import { TcpConnectionManager } from '../network/tcp/TcpConnectionManager.js';
import { randomBytes } from 'node:crypto';
import type { CheckpointCommand, CheckpointResponse } from '../checkpoint/CheckpointMessages.js';
import { MetricRegistry, TaskManagerMetricGroup } from '../metrics/index.js';
import { type StartedReporter, startMetricReporters } from '../metrics/MetricReporters.js';
import { type LogLocation, listLogs, mainThreadInfo, readLog, resolveLogLocation } from '../metrics/logs/LogFiles.js';
import { MetricOptions, CoreOptions, StateBackendOptions } from '../configuration/index.js';
import { cleanStaleLevelDBDirs } from '../state/StateBackendLoader.js';

/**
 * A TaskManager process (Flink's TaskManagerRunner + TaskExecutor): worker-thread slots,
 * registration with the ResourceManager over the control RPC, job bundles fetched from the
 * JobManager, and a watch on the JobManager's heartbeats.
 */
export class TaskManagerRunner {
  private conn: RpcConnection | null = null;
  private te!: WorkerTaskExecutor;
  private tcp: TcpConnectionManager | null = null;
  private dataPort = 0;
  private advertisedHost = '127.0.0.1';
  private readonly bundles = new Map<string, Promise<{ path: string; hash: string }>>();
  private readonly canceledBeforeSubmit = new Set<string>();
  private lastHeartbeat = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly log = createLogger('TaskManager');
  readonly numSlots: number;
  /** This process's metrics (Flink's TaskManager MetricRegistry); the slots' join through the WorkerTaskExecutor. */
  readonly metricRegistry = new MetricRegistry();
  private reporters: StartedReporter[] = [];
  private logs: LogLocation = { dir: undefined, logFile: undefined, stdoutFile: undefined };

  constructor(readonly configuration: Configuration, private readonly secret: string, readonly workingDir: string) {
    this.numSlots = configuration.getOptional(TaskManagerOptions.NUM_TASK_SLOTS) ?? availableParallelism();
    mkdirSync(join(workingDir, 'bundles'), { recursive: true });
  }

  get taskManagerId(): string { return this.te.taskManagerId; }

  /** Running tasks' latest IO counters from the slots, sent with the next heartbeat answer. */
  private readonly pendingMetrics = new Map<string, TaskMetricsReport>();

  private jobMaster = (jobId: string): JobMasterGateway => ({
    updateTaskExecutionState: (u: TaskExecutionState) => {
      this.pendingMetrics.delete(u.executionAttemptId); // the final counters travel with the state
      this.conn?.tell('updateTaskExecutionState', [u]);
    },
    updateTaskMetrics: (executionAttemptId: string, io: TaskIOMetrics) => { this.pendingMetrics.set(executionAttemptId, { jobId, executionAttemptId, io }); },
    sendOperatorEventToCoordinator: (attemptId: string, nodeId: number, event: unknown) => this.conn?.tell('sendOperatorEventToCoordinator', [jobId, attemptId, nodeId, event]),
    reportCheckpoint: (r: CheckpointResponse) => this.conn?.tell('reportCheckpoint', [jobId, r]),
  });

  async start(): Promise<void> {
    const id = this.configuration.getOptional(TaskManagerOptions.RESOURCE_ID) ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    // security.ssl.internal.enabled: the RPC connection, TcpServer and TcpClient use it; a bad keystore fails start-up here.
    setInternalTls(loadInternalTls(this.configuration));
    // LevelDB state of TaskManagers killed on this host (a kill -9 deletes nothing) goes now.
    const stateDirs = [...new Set([...this.configuration.get(CoreOptions.TMP_DIRS), ...(this.configuration.getOptional(StateBackendOptions.LEVELDB_LOCAL_DIR) !== undefined ? [this.configuration.get(StateBackendOptions.LEVELDB_LOCAL_DIR)!] : [])])];
    const stale = cleanStaleLevelDBDirs(stateDirs);
    if (stale.length > 0) this.log('INFO', `Removed ${stale.length} LevelDB state director${stale.length === 1 ? 'y' : 'ies'} of TaskManagers that no longer run: ${stale.join(', ')}`);
    // The JobManager connection first: unless taskmanager.host is set, the TaskManager advertises
    // the local address it reaches the JobManager from (Flink's connecting-address discovery).
    const conn = await this.dial();
    const configuredHost = this.configuration.getOptional(TaskManagerOptions.HOST);
    this.advertisedHost = configuredHost ?? conn.localAddress.replace(/^::ffff:/, '');
    const bindHost = await resolveBindHost({
      what: 'TaskManager data plane', bindKey: TaskManagerOptions.BIND_HOST.key, bind: this.configuration.getOptional(TaskManagerOptions.BIND_HOST),
      advertisedKey: configuredHost !== undefined ? TaskManagerOptions.HOST.key : `${TaskManagerOptions.HOST.key} (detected from the JobManager connection)`,
      advertised: this.advertisedHost,
    }).catch((e: unknown) => { conn.close('TaskManager cannot start'); throw e; });
    // Data plane before registering: its port is part of the registration, and every slot gets an uplink to it.
    this.tcp = new TcpConnectionManager({
      taskManagerId: id, secret: this.secret, bindHost,
      port: this.configuration.getOptional(TaskManagerOptions.DATA_PORT) ?? 0, bufferSize: this.configuration.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE),
      log: (level, msg) => this.log(level, msg),
    });
    const data = await this.tcp.start();
    this.dataPort = data.port;
    this.log('INFO', `Data plane listening on ${formatHostPort(bindHost, data.port)}, advertised as ${formatHostPort(this.advertisedHost, data.port)}`);
    const metricGroup = new TaskManagerMetricGroup(this.metricRegistry, this.advertisedHost, id);
    this.te = new WorkerTaskExecutor(this.numSlots, this.configuration, this.jobMaster, id, metricGroup);
    await this.te.start(this.tcp);
    this.logs = await resolveLogLocation('taskmanager', this.configuration.getOptional(MetricOptions.LOG_DIR));
    try {
      this.reporters = await startMetricReporters(this.configuration, this.metricRegistry, bindHost, (m) => this.log('INFO', m));
    } catch (e) {
      conn.close('TaskManager cannot start');
      await this.te.close();
      throw e;
    }
    await this.register(conn);
    const timeout = this.configuration.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastHeartbeat > timeout) {
        this.log('WARN', `No heartbeat from the JobManager for ${timeout} ms; reconnecting`);
        this.conn?.close('JobManager heartbeat timed out');
      }
    }, Math.min(timeout, 5_000));
    this.watchdog.unref();
  }

  private dial(): Promise<RpcConnection> {
    const host = this.configuration.get(JobManagerOptions.ADDRESS);
    const port = this.configuration.get(JobManagerOptions.PORT);
    const tls = internalTls();
    return connectRpc(host, port, this.secret, (m, a) => this.handle(m, a), {
      attempts: 30, what: `the JobManager ('jobmanager.rpc.address'/'jobmanager.rpc.port')`, ...(tls ? { tls } : {}),
    });
  }

  private async connect(): Promise<void> { await this.register(await this.dial()); }

  private async register(conn: RpcConnection): Promise<void> {
    this.conn = conn;
    this.lastHeartbeat = Date.now();
    await conn.call('registerTaskExecutor', [{
      taskManagerId: this.te.taskManagerId,
      numSlots: this.numSlots,
      info: {
        host: this.advertisedHost,
        dataPort: this.dataPort,
        cpuCores: availableParallelism(),
        physicalMemory: totalmem(),
        ...this.te.registrationInfo(),
        ...(this.reporters.length > 0 ? { metricReporters: this.reporters.map((r) => ({ name: r.name, host: r.host, port: r.port })) } : {}),
        ...(this.configuration.getOptional(TaskManagerOptions.RESOURCE_ID) !== undefined ? { resourceId: this.configuration.getOptional(TaskManagerOptions.RESOURCE_ID) } : {}),
      },
    }]);
    this.log('INFO', `Registered ${this.te.taskManagerId} with ${this.numSlots} slot(s) at the JobManager ${conn.peer}`);
    conn.on('close', (why: string) => {
      if (this.stopped) return;
      this.log('WARN', `Lost the JobManager connection (${why}); failing local tasks and re-registering`);
      this.te.cancelAll();
      void this.connect().catch((e: unknown) => { this.log('ERROR', `Cannot reach the JobManager: ${(e as Error).message}`); process.exitCode = 3; void this.stop(); });
    });
  }

  private handle(method: string, args: unknown[]): unknown {
    switch (method) {
      case 'heartbeat': {
        // The heartbeat payload carries the running tasks' IO counters (Flink: TaskExecutorToJobManagerHeartbeatPayload).
        this.lastHeartbeat = Date.now();
        const metrics = [...this.pendingMetrics.values()];
        this.pendingMetrics.clear();
        // ... and the TaskManager's memory/GC values (Flink sends them as metrics; here they ride along).
        return { slots: this.numSlots, metrics, taskManagerMetrics: this.te.metrics() };
      }
      case 'submitTask': { const [tdd, slot, job] = args as [TaskDeploymentDescriptor, number, JobSubmissionInfo]; void this.submit(tdd, slot, job); return null; }
      case 'cancelTask': {
        const [id] = args as [string];
        if (!this.te.cancelTask(id)) this.canceledBeforeSubmit.add(id);
        return null;
      }
      case 'sendOperatorEventToTask': { const [id, nodeId, ev] = args as [string, number, unknown]; this.te.sendOperatorEventToTask(id, nodeId, ev); return null; }
      case 'sendCheckpointCommand': { const [id, cmd] = args as [string, CheckpointCommand]; this.te.sendCheckpointCommand(id, cmd); return null; }
      case 'releaseJob': { const [jobId] = args as [string]; this.te.releaseJob(jobId); return null; }
      case 'releasePartitions': { const [jobId, ids] = args as [string, string[]]; this.te.releasePartitions(jobId, ids); return null; }
      case 'requestMetricDump': return this.te.requestMetricDump();
      case 'requestLogList': return listLogs(this.logs);
      case 'requestLogFile': { const [name, maxBytes] = args as [string, number]; return readLog(this.logs, name, maxBytes); }
      case 'requestThreadDump': return this.threadDump();
      default: throw new Error(`Unknown TaskManager RPC method '${method}'`);
    }
  }

  /**
   * Bundles are cached by hash: every slot of this process loads the same file. A bundle pinned
   * to another installation's runtime (other host, YARN container) is re-pinned to this one.
   */
  private bundleFor(jobId: string, hash: string, runtime: string | undefined): Promise<{ path: string; hash: string }> {
    let p = this.bundles.get(hash);
    if (!p) {
      const path = join(this.workingDir, 'bundles', `${hash}.mjs`);
      p = this.conn!.call<Uint8Array>('requestJobBundle', [jobId], 60_000).then((bytes) => {
        const got = createHash('sha256').update(bytes).digest('hex');
        if (got !== hash) throw new Error(`Job bundle of job ${jobId} arrived corrupted (sha256 ${got}, expected ${hash})`);
        const code = runtime !== undefined ? repinBundleCode(Buffer.from(bytes).toString('utf8'), runtime) : Buffer.from(bytes);
        writeFileSync(path, code);
        return { path, hash: createHash('sha256').update(code).digest('hex') };
      });
      this.bundles.set(hash, p);
      p.catch(() => this.bundles.delete(hash));
    }
    return p;
  }

  private async submit(tdd: TaskDeploymentDescriptor, slot: number, job: JobSubmissionInfo): Promise<void> {
    let local = job;
    try {
      if (job.bundle) local = { ...job, bundle: { ...job.bundle, ...(await this.bundleFor(tdd.jobId, job.bundle.hash, job.bundle.runtime)) } };
    } catch (e) {
      this.jobMaster(tdd.jobId).updateTaskExecutionState({ jobId: tdd.jobId, executionAttemptId: tdd.executionAttemptId, state: 'FAILED',
        error: { name: 'BundleException', message: (e as Error).message, location: `${tdd.taskName} (${tdd.subtaskIndex + 1}/${tdd.numberOfSubtasks})` } });
      return;
    }
    if (this.canceledBeforeSubmit.delete(tdd.executionAttemptId)) {
      this.jobMaster(tdd.jobId).updateTaskExecutionState({ jobId: tdd.jobId, executionAttemptId: tdd.executionAttemptId, state: 'CANCELED' });
      return;
    }
    this.te.submitTask(tdd, slot, local);
  }

  private async threadDump(): Promise<{ threadInfos: Array<{ threadName: string; stringifiedThreadInfo: string }> }> {
    const slots = await this.te.askSlots<string>((id) => ({ t: 'threadInfo', id }));
    return { threadInfos: [mainThreadInfo([`${this.numSlots} slot worker(s), ${slots.length} answering`]), ...slots.map((s, i) => ({ threadName: s.match(/^"([^"]+)"/)?.[1] ?? `slot-${i}`, stringifiedThreadInfo: `${s}\n` }))] };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.reporters.map((r) => r.close()));
    this.metricRegistry.close();
    if (this.watchdog) clearInterval(this.watchdog);
    this.conn?.close('TaskManager shutting down');
    await this.te?.close();
    await this.tcp?.close();
  }
}
