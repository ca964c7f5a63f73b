/**
 * tsflink's YARN ApplicationMaster (Flink's YarnApplicationClusterEntryPoint / YarnSessionClusterEntrypoint):
 * a Node process in the AM container that runs the JobManager (Dispatcher, ResourceManager, control
 * RPC endpoint, REST endpoint), registers with the YARN ResourceManager (tracking URL = the REST
 * URL), and starts TaskManager containers on demand through the YarnResourceManagerDriver.
 *
 * Application mode runs the shipped job's main() here; when it returns (or throws) the AM stops
 * its TaskManagers, unregisters SUCCEEDED / FAILED (the user's error in the diagnostics) / KILLED
 * (a canceled job), and deletes the HDFS staging directory.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AMRMClient } from './protocols/AMRMClient.js';
import { shellQuote } from './shell.js';
import { RUNTIME_RESOURCE_NAME } from './YarnConstants.js';
import { serializeCredentials } from './ipc/credentials.js';
import { NMClient } from './protocols/NMClient.js';
import { formatContainerId, type Container, type ContainerLaunchContext, type LocalResource } from './protocols/records.js';
import { nodeManagerLogUrl, YarnResourceManagerDriver } from './YarnResourceManagerDriver.js';
import { ENV_APPLICATION_ID, ENV_HADOOP_USER_NAME, HADOOP_SITE_FILES, SECRET_ALIAS, type ClusterMode, type JobSpec } from './YarnConstants.js';
import { HadoopSiteConfig } from './ipc/config.js';
import { webProxyFilterParams } from './WebProxy.js';
import { resolveBindHost, formatHostPort } from '../runtime/entrypoint/BindAddress.js';
import { isLoopbackOnly, restTokenOf } from '../runtime/security/RestAuthentication.js';
import { StandaloneSessionClusterEntrypoint, type JobManagerServices } from '../runtime/entrypoint/StandaloneSessionClusterEntrypoint.js';
import { startSchedulesService } from '../runtime/schedule/SchedulesService.js';
import { RestServerEndpoint } from '../runtime/rest/RestServerEndpoint.js';
import { createLogger } from '../runtime/entrypoint/ClusterLog.js';
import {
  Configuration,
  JobManagerOptions,
  ResourceManagerOptions,
  RestOptions,
  TaskManagerOptions,
  YarnConfigOptions,
  HighAvailabilityOptions,
  packageRoot,
} from '../runtime/configuration/index.js';
import { repinBundleCode, tsflinkRuntimeUrl, type JobBundle } from '../runtime/usercode/JobBundle.js';
import { ApplicationDispatcherBootstrap } from '../runtime/client/ApplicationDispatcherBootstrap.js';

/** Flink's key prefix for environment variables of TaskManager containers. */
const TM_ENV_PREFIX = 'containerized.taskmanager.env.';

export type AmFinalStatus = 'SUCCEEDED' | 'FAILED' | 'KILLED';

export interface ApplicationMasterOptions {
  mode: ClusterMode;
  configuration: Configuration;
  secret: string;
  /** Where the JobManager keeps blobs and uploads (a LOCAL_DIRS-based directory). */
  workDir: string;
  /** Application mode: the job bundle (a localized file) and its main's arguments. */
  job?: { bundlePath: string; spec: JobSpec };
  /** Local resources every TaskManager container gets (config.yaml, Hadoop site files). */
  taskManagerResources: Record<string, LocalResource>;
  /** Deleted when the application ends. */
  stagingDir?: string;
  /** Host the AM's endpoints are reachable at (NM_HOST). */
  host?: string;
  /** Node binary for TaskManager containers; default this process's. */
  nodePath?: string;
  /** Environment (AMRMToken location, scheduler address); default process.env. */
  env?: NodeJS.ProcessEnv;
  amrm?: AMRMClient;
}

export interface ApplicationMasterResult {
  finalStatus: AmFinalStatus;
  diagnostics: string;
  /**
   * False when the process was told to stop (SIGTERM): YARN is killing the application or just
   * this attempt, and unregistering would end the application even if another attempt may follow.
   */
  unregister?: boolean;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

export class ApplicationMaster {
  private readonly log = createLogger('ApplicationMaster');
  private readonly conf: Configuration;
  private readonly env: NodeJS.ProcessEnv;
  private readonly host: string;
  private amrm: AMRMClient | null = null;
  private nm: NMClient | null = null;
  private entrypoint: StandaloneSessionClusterEntrypoint | null = null;
  private rest: RestServerEndpoint | null = null;
  /** Session mode: the schedules service (docs/scheduling.md). */
  private schedules: Awaited<ReturnType<typeof startSchedulesService>> = null;
  private driver: YarnResourceManagerDriver | null = null;
  private services: JobManagerServices | null = null;
  private webUrl = '';
  private registered = false;
  private fatal: ((reason: string) => void) | null = null;
  private readonly fatalPromise: Promise<string>;
  private shutdownRequested: ((status: AmFinalStatus, why: string, unregister: boolean) => void) | null = null;
  private readonly shutdownPromise: Promise<{ status: AmFinalStatus; why: string; unregister: boolean }>;

  constructor(private readonly opts: ApplicationMasterOptions) {
    this.conf = opts.configuration.clone();
    this.env = opts.env ?? process.env;
    this.host = opts.host ?? this.env['NM_HOST'] ?? hostname();
    this.fatalPromise = new Promise((r) => { this.fatal = r; });
    this.shutdownPromise = new Promise((r) => { this.shutdownRequested = (status, why, unregister) => r({ status, why, unregister }); });
  }

  get restUrl(): string { return this.webUrl; }

  /** Ends a session cluster (or the application) from inside this process, unregistering with `status`. */
  requestShutdown(status: AmFinalStatus, why: string): void {
    this.shutdownRequested?.(status, why, true);
  }

  /**
   * SIGTERM from the NodeManager: the application or this attempt is being killed, and SIGKILL
   * follows shortly. Stop without unregistering (another attempt may follow); delete the staging
   * directory first, but only in the last attempt (a next attempt localizes its files from there).
   */
  onTerminationSignal(signal: string): void {
    if (this.isLastAttempt() && this.opts.stagingDir && !this.stagingDeleted) {
      this.stagingDeleted = deleteStagingDir(this.opts.stagingDir, (m) => this.log('WARN', m));
    }
    this.shutdownRequested?.('KILLED', `The ApplicationMaster received ${signal}`, false);
  }
  private stagingDeleted: Promise<void> | null = null;

  /** Attempt number from $CONTAINER_ID (container_[e<epoch>_]<ts>_<app>_<attempt>_<id>) vs yarn.application-attempts. */
  private isLastAttempt(): boolean {
    return this.attemptNumber() >= (this.conf.get(YarnConfigOptions.APPLICATION_ATTEMPTS));
  }

  private attemptNumber(): number {
    const m = /_(\d+)_\d+$/.exec(this.env['CONTAINER_ID'] ?? '');
    return m ? Number(m[1]) : 1;
  }

  /** Runs until the application ends; unregisters from YARN with the returned status. */
  async run(): Promise<ApplicationMasterResult> {
    let result: ApplicationMasterResult;
    try {
      await this.startJobManager();
      await this.register();
      this.startDriver();
      result = await this.runCluster();
    } catch (e) {
      result = { finalStatus: 'FAILED', diagnostics: `The tsflink ApplicationMaster failed: ${errorText(e)}` };
    }
    await this.shutdown(result);
    return result;
  }

  private async startJobManager(): Promise<void> {
    const c = this.conf;
    c.setString(JobManagerOptions.ADDRESS.key, this.host, 'YARN ApplicationMaster');
    // Several AMs (and standalone clusters) may share a host: always an ephemeral RPC port
    // (TaskManagers get it on their command line); the REST port too unless rest.bind-port asks for a range.
    c.setString(JobManagerOptions.PORT.key, '0', 'YARN ApplicationMaster');
    if (!c.containsKey(RestOptions.BIND_PORT.key)) c.setString(RestOptions.PORT.key, '0', 'YARN ApplicationMaster');
    // Reachable from the other nodes, YARN's proxy and the client: REST listens where the node's
    // host name (NM_HOST) points unless rest.bind-address says otherwise (e.g. 0.0.0.0).
    if (!c.containsKey(RestOptions.ADDRESS.key)) c.setString(RestOptions.ADDRESS.key, this.host, 'YARN ApplicationMaster (NM_HOST)');
    // The distribution's config.yaml binds REST to 127.0.0.1 (right for a laptop); in a container
    // that would serve nobody, so a loopback bind address yields to the node's (as in Flink's YARN entrypoint).
    const configuredBind = c.containsKey(RestOptions.BIND_ADDRESS.key) ? c.get(RestOptions.BIND_ADDRESS) : undefined;
    const restBind = await resolveBindHost({
      what: 'REST endpoint', bindKey: RestOptions.BIND_ADDRESS.key, bind: configuredBind !== undefined && isLoopbackOnly(configuredBind) ? undefined : configuredBind,
      advertisedKey: `${RestOptions.ADDRESS.key} (the container's node, NM_HOST)`, advertised: c.get(RestOptions.ADDRESS) ?? this.host,
    });
    c.setString(RestOptions.BIND_ADDRESS.key, restBind, 'YARN ApplicationMaster');
    this.configureHighAvailability();
    mkdirSync(this.opts.workDir, { recursive: true });
    this.entrypoint = new StandaloneSessionClusterEntrypoint(c, this.opts.secret, join(this.opts.workDir, 'jobmanager'));
    this.services = await this.entrypoint.start();
    this.log('INFO', `JobManager RPC endpoint at ${this.host}:${this.services.rpcAddress.port}`);
    if (this.opts.mode === 'session') {
      // History on HDFS next to the session's staging files, so an AM restart keeps it (unless scheduler.storage-dir / HA say otherwise).
      this.schedules = await startSchedulesService({
        dispatcher: this.services.dispatcher, configuration: c, workDir: join(this.opts.workDir, 'jobmanager'), log: (level, m) => this.log(level, `Schedules: ${m}`),
        metricRegistry: this.services.metricRegistry,
        ...(this.opts.stagingDir ? { defaultStorageDir: `${this.opts.stagingDir.replace(/\/+$/, '')}/schedules` } : {}),
      });
    }
    // As Flink: an application cluster runs its one application; job files are submitted to sessions only (no /jars).
    if (this.opts.mode !== 'session') c.setString(RestOptions.WEB_SUBMIT_ENABLE.key, 'false', 'YARN application mode');
    this.rest = new RestServerEndpoint({
      dispatcher: this.services.dispatcher,
      resourceManager: this.services.resourceManager,
      configuration: c,
      uploadDir: join(this.opts.workDir, 'web-upload'),
      taskManagerLogUrl: (resourceId) => this.driver?.containerLogUrl(resourceId),
      metricRegistry: this.services.metricRegistry,
      ...(this.schedules ? { schedules: this.schedules } : {}),
      // Always on YARN: the node is shared with other users' containers. Reads through YARN's web
      // proxy are trusted as Hadoop's AmIpFilter trusts them.
      authentication: { token: restTokenOf(this.opts.secret), required: true, ...this.webProxy() },
    });
    const addr = await this.rest.start();
    const advertised = c.get(RestOptions.ADDRESS) ?? this.host;
    this.webUrl = `${this.rest.scheme}://${advertised.includes(':') ? `[${advertised}]` : advertised}:${addr.port}`;
    this.log('INFO', `JobManager web interface at ${this.webUrl} (REST listening on ${formatHostPort(addr.address, addr.port)}; bearer token required, read-only access through YARN's proxy)`);
  }

  /**
   * JobManager recovery across AM attempts (Flink's YARN HA): with yarn.application-attempts > 1,
   * high availability defaults to FILESYSTEM under the staging directory on HDFS (deleted with the
   * application), with the application id as cluster id. The next attempt's Dispatcher then finds
   * the session's jobs there, and each job its latest checkpoint; in application mode main runs
   * again and its jobs get the same ids (derived from the cluster id), so they resume the same way.
   */
  private configureHighAvailability(): void {
    const c = this.conf;
    const attempts = c.get(YarnConfigOptions.APPLICATION_ATTEMPTS);
    if (attempts <= 1 || c.containsKey(HighAvailabilityOptions.HA_TYPE.key)) return;
    const staging = this.opts.stagingDir;
    if (!c.containsKey(HighAvailabilityOptions.HA_STORAGE_DIR.key)) {
      if (staging === undefined) return;
      c.setString(HighAvailabilityOptions.HA_STORAGE_DIR.key, `${staging.replace(/\/+$/, '')}/ha`, 'YARN ApplicationMaster (staging directory)');
    }
    c.setString(HighAvailabilityOptions.HA_TYPE.key, 'FILESYSTEM', `YARN ApplicationMaster (yarn.application-attempts=${attempts})`);
    const appId = this.env[ENV_APPLICATION_ID];
    if (appId && !c.containsKey(HighAvailabilityOptions.HA_CLUSTER_ID.key)) c.setString(HighAvailabilityOptions.HA_CLUSTER_ID.key, appId, 'YARN ApplicationMaster (application id)');
    this.log('INFO', `High availability: ${c.get(HighAvailabilityOptions.HA_STORAGE_DIR)} (cluster id ${c.get(HighAvailabilityOptions.HA_CLUSTER_ID)}), attempt ${this.attemptNumber()} of ${attempts}`);
  }

  /** AmIpFilter's PROXY_HOSTS / PROXY_URI_BASES for this application (yarn-site.xml shipped into the container). */
  private webProxy(): { proxyHosts: string[]; proxyUriBases: string[] } {
    const appId = this.env[ENV_APPLICATION_ID] ?? '';
    const p = webProxyFilterParams(HadoopSiteConfig.load(this.env['HADOOP_CONF_DIR'] ?? process.env['HADOOP_CONF_DIR']), appId, this.env);
    this.log('INFO', `YARN web proxy: PROXY_HOSTS=${p.proxyHosts.join(',') || '(none)'} PROXY_URI_BASES=${p.proxyUriBases.join(',') || '(none)'}`);
    return p;
  }

  private async register(): Promise<void> {
    this.amrm = this.opts.amrm ?? AMRMClient.fromEnvironment({ env: this.env });
    this.nm = new NMClient(this.amrm.nmTokens);
    // host:rpcPort = the REST endpoint (Flink registers its REST port as the RPC port).
    const u = new URL(this.webUrl);
    const reg = await this.amrm.registerApplicationMaster({ host: u.hostname, rpcPort: Number(u.port), trackingUrl: this.webUrl });
    this.registered = true;
    const logs = this.ownLogUrl();
    if (logs) this.log('INFO', `ApplicationMaster logs: ${logs}`);
    this.log('INFO', `Registered with the YARN ResourceManager at ${this.amrm.endpoint.host}:${this.amrm.endpoint.port} (queue ${reg.queue}, max container ${reg.maximumCapability.memoryMb} MB / ${reg.maximumCapability.vcores} vcores)`);
  }

  /** The TaskManager container: size, slots and launch command. */
  private startDriver(): void {
    const c = this.conf;
    const slots = c.getOptional(TaskManagerOptions.NUM_TASK_SLOTS) ?? 1;
    const memoryMb = Math.ceil(c.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY) / (1024 * 1024));
    const vcoresConf = c.get(YarnConfigOptions.VCORES);
    const vcores = vcoresConf > 0 ? vcoresConf : slots;
    const rpcPort = this.services!.rpcAddress.port;
    const root = packageRoot();
    const node = this.opts.nodePath ?? process.execPath;
    const hadoopUser = this.env[ENV_HADOOP_USER_NAME];
    // YARN sets USER in every container to the application's user (its NM log URLs name it).
    const containerUser = this.env['USER'] ?? hadoopUser;
    const taskManagerEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.toMap())) {
      if (k.startsWith(TM_ENV_PREFIX) && k.length > TM_ENV_PREFIX.length) taskManagerEnv[k.slice(TM_ENV_PREFIX.length)] = v;
    }
    const launchContext = (container: Container): ContainerLaunchContext => {
      const cid = formatContainerId(container.id);
      const d = (k: string, v: string | number): string => `-D ${shellQuote(`${k}=${v}`)}`;
      const cmd = [
        shellQuote(node),
        shellQuote(this.opts.taskManagerResources[RUNTIME_RESOURCE_NAME] ? `./${RUNTIME_RESOURCE_NAME}/dist/yarn-am/taskmanager.js` : join(root, 'dist', 'yarn-am', 'taskmanager.js')),
        d(JobManagerOptions.ADDRESS.key, this.host),
        d(JobManagerOptions.PORT.key, rpcPort),
        d(TaskManagerOptions.NUM_TASK_SLOTS.key, slots),
        d(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key, `${memoryMb}m`),
        d(TaskManagerOptions.RESOURCE_ID.key, cid),
        d(TaskManagerOptions.HOST.key, container.nodeId.host),
        '1><LOG_DIR>/taskmanager.out',
        '2><LOG_DIR>/taskmanager.err',
      ].join(' ');
      const environment: Record<string, string> = { ...taskManagerEnv, HADOOP_CONF_DIR: '$PWD' };
      if (hadoopUser) environment[ENV_HADOOP_USER_NAME] = hadoopUser;
      // Only the secret: the TaskManager gets no YARN tokens of the AM.
      const tokens = serializeCredentials({ secrets: [[SECRET_ALIAS, Buffer.from(this.opts.secret, 'utf8')]] });
      return { commands: [cmd], environment, localResources: this.opts.taskManagerResources, tokens };
    };
    this.driver = new YarnResourceManagerDriver({
      amrm: this.amrm!,
      nm: this.nm!,
      slotManager: this.services!.resourceManager.slotManager,
      resource: { memoryMb, vcores },
      slotsPerTaskManager: slots,
      launchContext,
      heartbeatIntervalMs: 1000,
      pendingHeartbeatIntervalMs: c.get(YarnConfigOptions.CONTAINER_REQUEST_HEARTBEAT_INTERVAL),
      idleTimeoutMs: c.get(ResourceManagerOptions.TASK_MANAGER_TIMEOUT),
      log: createLogger('YarnResourceManagerDriver'),
      onFatalError: (reason) => this.fatal?.(reason),
      reRegister: async () => {
        const u = new URL(this.webUrl);
        await this.amrm!.registerApplicationMaster({ host: u.hostname, rpcPort: Number(u.port), trackingUrl: this.webUrl });
      },
      progress: () => this.progress(),
      ...(containerUser ? { containerUser } : {}),
    });
    this.driver.start();
  }

  private progress(): number {
    const jobs = this.services?.dispatcher.listJobs() ?? [];
    if (jobs.length === 0) return 0.1;
    return jobs.every((j) => j.endTime > 0) ? 1 : 0.5;
  }

  private async runCluster(): Promise<ApplicationMasterResult> {
    const stop = Promise.race([
      this.fatalPromise.then((reason): ApplicationMasterResult => ({ finalStatus: 'FAILED', diagnostics: reason })),
      this.shutdownPromise.then(({ status, why, unregister }): ApplicationMasterResult => ({ finalStatus: status, diagnostics: why, unregister })),
    ]);
    if (this.opts.mode === 'session') return stop;
    return Promise.race([stop, this.runApplication()]);
  }

  /** Application mode: re-pins the shipped bundle, then runs its main against this JobManager. */
  private async runApplication(): Promise<ApplicationMasterResult> {
    const job = this.opts.job;
    if (!job) throw new Error('application mode without a job bundle');
    // The bundle imports the client's runtime; this container runs the shipped one: re-pin.
    let bundlePath = job.bundlePath;
    let code: string | Buffer = readFileSync(bundlePath);
    if (job.spec.runtime !== undefined && job.spec.runtime !== tsflinkRuntimeUrl()) {
      code = repinBundleCode(code.toString('utf8'), job.spec.runtime);
      bundlePath = `${job.bundlePath}.pinned.mjs`;
      writeFileSync(bundlePath, code);
    }
    const bundle: JobBundle = { entry: job.spec.entry, path: bundlePath, hash: createHash('sha256').update(code).digest('hex') };
    return new ApplicationDispatcherBootstrap({
      bundle, args: job.spec.args, configuration: this.conf, dispatcher: this.services!.dispatcher,
      log: (level, msg) => this.log(level, msg),
    }).run();
  }

  /** This AM container's logs on its NodeManager's web UI (from the container environment YARN sets). */
  private ownLogUrl(): string | undefined {
    const host = this.env['NM_HOST'];
    const port = this.env['NM_HTTP_PORT'];
    const container = this.env['CONTAINER_ID'];
    const user = this.env['USER'] ?? this.env[ENV_HADOOP_USER_NAME];
    return host && port && container && user ? nodeManagerLogUrl(`${host}:${port}`, container, user) : undefined;
  }

  private async shutdown(result: ApplicationMasterResult): Promise<void> {
    this.log(result.finalStatus === 'SUCCEEDED' ? 'INFO' : 'ERROR', `Application ends ${result.finalStatus}: ${result.diagnostics}`);
    await this.driver?.stop().catch((e: unknown) => this.log('WARN', `Stopping TaskManager containers failed: ${errorText(e)}`));
    await this.schedules?.stop().catch(() => undefined);
    // A stop-with-savepoint ends the application's job, hence the application: its client still polls for the path.
    await this.rest?.awaitOperationResultsFetched(15_000).catch(() => undefined);
    await this.rest?.close().catch(() => undefined);
    await this.entrypoint?.close().catch(() => undefined);
    const unregister = result.unregister !== false;
    if (!unregister) this.log('INFO', 'Not unregistering: YARN is stopping this attempt');
    if (unregister && !this.registered) {
      // Failed before registering (e.g. the REST endpoint could not bind): register anyway so that
      // YARN records FAILED with our diagnostics rather than an unexplained container exit.
      try {
        this.amrm ??= this.opts.amrm ?? AMRMClient.fromEnvironment({ env: this.env });
        await this.amrm.registerApplicationMaster({ host: this.host, rpcPort: -1, trackingUrl: '' });
        this.registered = true;
      } catch (e) {
        this.log('ERROR', `Registering with YARN failed: ${errorText(e)}`);
      }
    }
    if (unregister && this.amrm && this.registered) {
      try {
        // YARN keeps diagnostics short in its UI; the full text stays in the AM log.
        const logs = result.finalStatus === 'SUCCEEDED' ? undefined : this.ownLogUrl();
        const diagnostics = logs ? `${result.diagnostics.slice(0, 15_500)}\nApplicationMaster logs: ${logs}` : result.diagnostics.slice(0, 16_000);
        await this.amrm.finishApplicationMaster({ finalStatus: result.finalStatus, diagnostics, trackingUrl: '' });
        this.log('INFO', `Unregistered from YARN with ${result.finalStatus}`);
      } catch (e) {
        this.log('ERROR', `Unregistering from YARN failed: ${errorText(e)}`);
      }
    }
    // After unregistering the application is over; after a signal only if no attempt follows.
    if (this.opts.stagingDir && (unregister || this.isLastAttempt())) {
      await (this.stagingDeleted ??= deleteStagingDir(this.opts.stagingDir, (m) => this.log('WARN', m)));
    }
    this.nm?.close();
    this.amrm?.close();
  }
}

/** Deletes the application's HDFS staging directory (.tsflink/<appId>). */
export async function deleteStagingDir(dir: string, warn: (msg: string) => void = () => undefined): Promise<void> {
  try {
    const { getFileSystem } = await import('../hdfs/index.js');
    await getFileSystem(dir).delete(dir, true);
  } catch (e) {
    warn(`Could not delete the staging directory ${dir}: ${(e as Error).message}`);
  }
}


/** Whether a Hadoop site file was shipped into the working directory. */
export function hasShippedHadoopConf(dir: string): boolean {
  return HADOOP_SITE_FILES.some((f) => existsSync(join(dir, f)));
}
