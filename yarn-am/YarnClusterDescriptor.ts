/**
 * Client side of a tsflink deployment on YARN (Flink's YarnClusterDescriptor): checks the
 * requested container sizes against the scheduler, uploads the job bundle, the effective
 * configuration and the Hadoop client configuration to `<staging>/.tsflink/<appId>/` on HDFS,
 * submits the ApplicationMaster and waits until it runs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HadoopSiteConfig, rmSchedulerEndpoint } from './ipc/config.js';
import { InvalidResourceRequestException } from './ipc/errors.js';
import { serializeCredentials } from './ipc/credentials.js';
import { RM_SCHEDULER_ADDRESS_ENV } from './protocols/AMRMClient.js';
import { ApplicationRejectedError, UnknownQueueError, YarnClient } from './protocols/YarnClient.js';
import {
  formatApplicationId,
  localResourceFromUri,
  type ApplicationId,
  type ApplicationReport,
  type ApplicationSubmissionContext,
  type LocalResource,
} from './protocols/records.js';
import {
  DEFAULT_APPLICATION_NAME,
  DEFAULT_SESSION_NAME,
  ENV_APPLICATION_ID,
  ENV_CLUSTER_MODE,
  ENV_NODE_PATH,
  ENV_RUNTIME_ARCHIVE,
  ENV_SHIP_FILES,
  shipStagingName,
  FILE_NODE_ARCHIVE,
  NODE_RESOURCE_NAME,
  ENV_HADOOP_USER_NAME,
  ENV_STAGING_DIR,
  FILE_CONFIG,
  FILE_JOB_BUNDLE,
  FILE_JOB_SPEC,
  HADOOP_SITE_FILES,
  SECRET_ALIAS,
  type ClusterMode,
  type JobSpec,
} from './YarnConstants.js';
import { REST_TOKEN_FILE, restTokenOf } from '../runtime/security/RestAuthentication.js';
import { Configuration, JobManagerOptions, SecurityOptions, TaskManagerOptions, YarnConfigOptions, packageRoot } from '../runtime/configuration/index.js';
import { configurationToYaml } from '../runtime/configuration/loadConfiguration.js';
import { generateClusterSecret } from '../runtime/security/ClusterSecret.js';
import { shellQuote } from './shell.js';
import { runtimeArchive, RUNTIME_RESOURCE_NAME } from './RuntimeArchive.js';
import { tsflinkRuntimeUrl } from '../runtime/usercode/JobBundle.js';
import type { JobBundle } from '../runtime/usercode/JobBundle.js';

/** A problem with what the user asked for (queue, sizes, missing Hadoop config): exit code 2. */
export class YarnDeploymentInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'YarnDeploymentInputError';
  }
}

/** The application ended (or failed) before it reached RUNNING. */
export class YarnDeploymentFailedError extends Error {
  readonly report: ApplicationReport;
  constructor(message: string, report: ApplicationReport) {
    super(message);
    this.name = 'YarnDeploymentFailedError';
    this.report = report;
  }
}

export interface YarnDeployOptions {
  mode: ClusterMode;
  /** Effective configuration (config.yaml < -D < flags). */
  configuration: Configuration;
  /** Application mode: the bundled job and main's arguments. */
  job?: { bundle: JobBundle; args: string[] };
  /** Default: $HADOOP_CONF_DIR, then $YARN_CONF_DIR. */
  hadoopConfDir?: string;
  /** Progress lines for the user. */
  log?: (msg: string) => void;
  /** How long to wait for RUNNING; default 5 minutes. */
  startTimeoutMs?: number;
  /** Node binary the NodeManagers run; default this process's (same-host NodeManagers; yarn.ship-node is not implemented yet). */
  nodePath?: string;
}

export interface YarnDeployment {
  applicationId: ApplicationId;
  applicationIdString: string;
  /** JobManager REST / web URL (the AM's host and the port it registered). Empty if the app ended first. */
  webUrl: string;
  report: ApplicationReport;
  stagingDir: string;
  /** Seconds from submission to RUNNING (or to the terminal state). */
  secondsToRunning: number;
  /** NodeManager log URL of the ApplicationMaster container (from the RM web services), when known. */
  amLogUrl?: string;
}

const MiB = 1024 * 1024;

export class YarnClusterDescriptor {
  readonly yarn: YarnClient;
  readonly hadoopConfDir: string;
  private readonly siteConf: HadoopSiteConfig;

  constructor(opts: { hadoopConfDir?: string } = {}) {
    const dir = opts.hadoopConfDir || process.env['HADOOP_CONF_DIR'] || process.env['YARN_CONF_DIR'];
    if (!dir) throw new YarnDeploymentInputError('HADOOP_CONF_DIR is not set: point it at the directory holding core-site.xml and yarn-site.xml of the YARN cluster.');
    if (!existsSync(join(dir, 'yarn-site.xml')) && !existsSync(join(dir, 'core-site.xml'))) {
      throw new YarnDeploymentInputError(`No core-site.xml or yarn-site.xml in ${dir} (from $HADOOP_CONF_DIR).`);
    }
    this.hadoopConfDir = dir;
    this.siteConf = HadoopSiteConfig.load(dir);
    // A CLI should say quickly that the RM is down, not retry for minutes like a daemon.
    this.yarn = YarnClient.fromConfiguration(this.siteConf, { connectAttempts: 3, connectRetryDelayMs: 500, callTimeoutMs: 30_000 });
  }

  close(): void {
    this.yarn.close();
  }

  async deploy(opts: YarnDeployOptions): Promise<YarnDeployment> {
    const log = opts.log ?? (() => undefined);
    const conf = opts.configuration.clone();
    if (opts.mode === 'application' && !opts.job) throw new YarnDeploymentInputError('application mode needs a job');
    // Flink's YARN default is one slot per TaskManager (the embedded cluster's default is the core count).
    if (!conf.containsKey(TaskManagerOptions.NUM_TASK_SLOTS.key)) {
      conf.setString(TaskManagerOptions.NUM_TASK_SLOTS.key, '1', 'YARN default');
    }
    const jmMb = Math.ceil(conf.get(JobManagerOptions.TOTAL_PROCESS_MEMORY) / MiB);
    const tmMb = Math.ceil(conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY) / MiB);

    const { applicationId, maximumCapability } = await this.yarn.getNewApplication();
    const appIdStr = formatApplicationId(applicationId);
    const maxMb = maximumCapability.memoryMb;
    const src = (key: string): string => conf.getSource(key) ?? 'the default';
    if (jmMb > maxMb) {
      throw new YarnDeploymentInputError(
        `The JobManager container (${jmMb} MB, jobmanager.memory.process.size from ${src(JobManagerOptions.TOTAL_PROCESS_MEMORY.key)}) is larger than the ` +
          `YARN scheduler's maximum allocation of ${maxMb} MB (yarn.scheduler.maximum-allocation-mb). Lower -jm or ask for a larger maximum.`,
      );
    }
    if (tmMb > maxMb) {
      throw new YarnDeploymentInputError(
        `The TaskManager container (${tmMb} MB, taskmanager.memory.process.size from ${src(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key)}) is larger than the ` +
          `YARN scheduler's maximum allocation of ${maxMb} MB (yarn.scheduler.maximum-allocation-mb). Lower -tm or ask for a larger maximum.`,
      );
    }
    const tmVcoresConf = conf.get(YarnConfigOptions.VCORES);
    const tmVcores = tmVcoresConf > 0 ? tmVcoresConf : Number(conf.getString(TaskManagerOptions.NUM_TASK_SLOTS.key) ?? '1');
    if (tmVcores > maximumCapability.vcores) {
      throw new YarnDeploymentInputError(
        `A TaskManager container would need ${tmVcores} vcores (yarn.containers.vcores, or taskmanager.numberOfTaskSlots when unset), above the YARN scheduler's maximum of ${maximumCapability.vcores}.`,
      );
    }
    const amVcores = conf.get(YarnConfigOptions.APP_MASTER_VCORES);
    if (amVcores > maximumCapability.vcores) {
      throw new YarnDeploymentInputError(`yarn.appmaster.vcores=${amVcores} is above the YARN scheduler's maximum of ${maximumCapability.vcores} vcores.`);
    }

    // ---- staging directory on HDFS
    const { getFileSystem, resolveHdfsUser } = await import('../hdfs/index.js');
    const hdfsUser = resolveHdfsUser(conf.toMap());
    const stagingDir = await YarnClusterDescriptor.stagingDirFor(appIdStr, conf);
    const fs = getFileSystem(stagingDir, conf.toMap());
    const resources: Record<string, LocalResource> = {};
    let qualifiedStaging = stagingDir;
    let shippedNode: string | undefined;
    let runtimeArchivePath = '';
    const shippedFiles: string[] = [];
    const upload = async (name: string, data: Uint8Array | string): Promise<void> => {
      const path = `${stagingDir}/${name}`;
      // Only the submitting user (the NodeManagers localize APPLICATION resources as that user).
      await fs.writeFile(path, data, { overwrite: true, permission: '600' });
      const st = await fs.getFileStatus(path);
      resources[name] = localResourceFromUri(st.path, st.length, st.modificationTime, 'FILE', 'APPLICATION');
    };
    // The cluster secret travels in the container credentials, not the environment (see SECRET_ALIAS).
    const secret = conf.getString('security.cluster.secret') ?? generateClusterSecret();
    const t0 = Date.now();
    try {
      await fs.mkdirs(stagingDir);
      // Readable by the submitting user alone: it holds the REST token (and the job's code).
      await restrictToOwner(fs, stagingDir);
      qualifiedStaging = (await fs.getFileStatus(stagingDir)).path;
      // What the CLI presents to the AM's REST API (list, cancel, … with -D yarn.application.id).
      await upload(REST_TOKEN_FILE, restTokenOf(secret));
      const shipped = conf.clone();
      shipped.remove(SecurityOptions.CLUSTER_SECRET); // never in a file on HDFS
      await upload(FILE_CONFIG, configurationToYaml(shipped));
      for (const f of HADOOP_SITE_FILES) {
        const p = join(this.hadoopConfDir, f);
        if (existsSync(p)) await upload(f, readFileSync(p));
      }
      const shipNode = conf.getOptional(YarnConfigOptions.SHIP_NODE);
      if (shipNode !== undefined) {
        const { archive, binary, cleanup } = nodeArchive(shipNode);
        try {
          await upload(FILE_NODE_ARCHIVE, readFileSync(archive));
        } finally {
          cleanup();
        }
        const r = resources[FILE_NODE_ARCHIVE]!;
        delete resources[FILE_NODE_ARCHIVE];
        resources[NODE_RESOURCE_NAME] = { ...r, type: 'ARCHIVE' };
        shippedNode = `${NODE_RESOURCE_NAME}/${binary}`;
      }
      for (const f of shipFileSpecs(conf.getOptional(YarnConfigOptions.SHIP_FILES) ?? [], Object.keys(resources))) {
        const data = f.type === 'FILE' ? readFileSync(f.path) : tarDirectory(f.path);
        // YARN picks the unpacker by the file name's extension.
        const staged = shipStagingName(f.name, f.type);
        await upload(staged, data);
        const r = resources[staged]!;
        delete resources[staged];
        resources[f.name] = { ...r, type: f.type };
        shippedFiles.push(`${f.name}:${f.type}`);
      }
      // The runtime: one archive per version, kept in <staging root>/lib and shared by applications.
      const rt = await runtimeArchive();
      const libPath = `${stagingDir.slice(0, stagingDir.lastIndexOf('/'))}/lib/${rt.name}`;
      if (!(await fs.exists(libPath))) {
        const tmp = `${libPath}.${process.pid}.tmp`;
        await fs.mkdirs(libPath.slice(0, libPath.lastIndexOf('/')));
        await fs.writeFile(tmp, readFileSync(rt.path), { overwrite: true, permission: '644' });
        await fs.rename(tmp, libPath).catch(async (e: unknown) => { await fs.delete(tmp, false); if (!(await fs.exists(libPath))) throw e; });
      }
      const rtStatus = await fs.getFileStatus(libPath);
      // PUBLIC: each NodeManager localizes it once, in its own cache, for every application.
      resources[RUNTIME_RESOURCE_NAME] = localResourceFromUri(rtStatus.path, rtStatus.length, rtStatus.modificationTime, 'ARCHIVE', 'PUBLIC');
      runtimeArchivePath = rtStatus.path;
      if (opts.job) {
        await upload(FILE_JOB_BUNDLE, readFileSync(opts.job.bundle.path));
        const spec: JobSpec = { entry: opts.job.bundle.entry, args: opts.job.args, runtime: tsflinkRuntimeUrl() };
        await upload(FILE_JOB_SPEC, JSON.stringify(spec));
      }
    } catch (e) {
      await fs.delete(stagingDir, true).catch(() => false);
      if (e instanceof YarnDeploymentInputError) throw e;
      throw new Error(`Uploading the application files to ${stagingDir} failed: ${(e as Error).message}`, { cause: e });
    }
    log(`Uploaded the application files to ${qualifiedStaging} (${Date.now() - t0} ms)`);

    // ---- submission
    const sched = rmSchedulerEndpoint(this.siteConf);
    const node = shippedNode !== undefined ? `./${shippedNode}` : (opts.nodePath ?? process.execPath);
    // The AM runs the shipped runtime (unpacked by YARN into ./tsflink/), not this machine's install.
    const amScript = `./${RUNTIME_RESOURCE_NAME}/dist/yarn-am/main.js`;
    const environment: Record<string, string> = {
      [RM_SCHEDULER_ADDRESS_ENV]: `${sched.host}:${sched.port}`,
      [ENV_STAGING_DIR]: qualifiedStaging,
      [ENV_CLUSTER_MODE]: opts.mode,
      [ENV_APPLICATION_ID]: appIdStr,
      [ENV_HADOOP_USER_NAME]: hdfsUser,
    };
    if (shippedNode !== undefined) environment[ENV_NODE_PATH] = shippedNode;
    environment[ENV_RUNTIME_ARCHIVE] = runtimeArchivePath;
    if (shippedFiles.length) environment[ENV_SHIP_FILES] = shippedFiles.join(',');
    Object.assign(environment, prefixedEnv(conf, 'containerized.master.env.'));
    const name = conf.getOptional(YarnConfigOptions.APPLICATION_NAME) ?? (opts.mode === 'application' ? DEFAULT_APPLICATION_NAME : DEFAULT_SESSION_NAME);
    const queue = conf.getOptional(YarnConfigOptions.APPLICATION_QUEUE);
    const ctx: ApplicationSubmissionContext = {
      applicationId,
      applicationName: name,
      applicationType: conf.get(YarnConfigOptions.APPLICATION_TYPE),
      applicationTags: [...(conf.getOptional(YarnConfigOptions.APPLICATION_TAGS) ?? [])],
      maxAppAttempts: conf.get(YarnConfigOptions.APPLICATION_ATTEMPTS),
      resource: { memoryMb: jmMb, vcores: amVcores },
      amContainerSpec: {
        // V8's old space gets most of the container; the rest is code, buffers and native memory.
        commands: [`${shellQuote(node)} --max-old-space-size=${Math.max(64, Math.floor(jmMb * 0.75))} ${shellQuote(amScript)} 1><LOG_DIR>/jobmanager.out 2><LOG_DIR>/jobmanager.err`],
        environment,
        localResources: resources,
        tokens: serializeCredentials({ secrets: [[SECRET_ALIAS, Buffer.from(secret, 'utf8')]] }),
      },
    };
    if (queue !== undefined) ctx.queue = queue;
    const label = conf.getOptional(YarnConfigOptions.NODE_LABEL);
    if (label !== undefined) ctx.nodeLabelExpression = label;
    if (ctx.maxAppAttempts !== undefined && ctx.maxAppAttempts > 1) {
      ctx.attemptFailuresValidityIntervalMs = conf.get(YarnConfigOptions.APPLICATION_ATTEMPT_FAILURE_VALIDITY_INTERVAL);
    }
    const priority = conf.get(YarnConfigOptions.APPLICATION_PRIORITY);
    if (priority >= 0) ctx.priority = priority;
    const submittedAt = Date.now();
    try {
      await this.yarn.submitApplication(ctx);
    } catch (e) {
      await fs.delete(stagingDir, true).catch(() => false);
      if (e instanceof UnknownQueueError) {
        throw new YarnDeploymentInputError(`YARN rejected ${appIdStr}: unknown queue '${queue ?? 'default'}' (from -qu / yarn.application.queue). YARN: ${e.diagnostics}`, { cause: e });
      }
      if (e instanceof InvalidResourceRequestException) {
        throw new YarnDeploymentInputError(`YARN rejected the ApplicationMaster's resources: ${e.serverMessage}`, { cause: e });
      }
      if (e instanceof ApplicationRejectedError) throw new YarnDeploymentInputError(e.message, { cause: e });
      throw e;
    }
    log(`Submitted application ${appIdStr} to queue ${queue ?? 'default'}; waiting for it to run`);

    // ---- wait for RUNNING
    const timeout = opts.startTimeoutMs ?? 300_000;
    let hinted = false;
    let report: ApplicationReport;
    for (;;) {
      report = await this.yarn.getApplicationReport(applicationId);
      if (report.state === 'RUNNING' || report.state === 'FINISHED' || report.state === 'FAILED' || report.state === 'KILLED') break;
      const waited = Date.now() - submittedAt;
      if (!hinted && waited > 60_000) {
        hinted = true;
        log(`Still ${report.state} after 60 s: the cluster may lack free resources for a ${jmMb} MB ApplicationMaster (queue ${report.queue}).`);
      }
      if (waited > timeout) {
        throw new Error(`Application ${appIdStr} still ${report.state} after ${timeout} ms (diagnostics: ${report.diagnostics || 'none'}). It keeps waiting in YARN; kill it with: yarn application -kill ${appIdStr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const runningAt = Date.now();
    const amLogUrl = await this.amLogUrl(applicationId);
    if (amLogUrl) log(`ApplicationMaster (JobManager) logs: ${amLogUrl}`);
    const webUrl = /^https?:\/\//.test(report.originalTrackingUrl) ? report.originalTrackingUrl : report.host && report.rpcPort > 0 ? `http://${report.host}:${report.rpcPort}` : '';
    return {
      applicationId,
      applicationIdString: appIdStr,
      webUrl: webUrl && webUrl !== 'N/A' ? webUrl : '',
      report,
      stagingDir: qualifiedStaging,
      secondsToRunning: (runningAt - submittedAt) / 1000,
      ...(amLogUrl ? { amLogUrl } : {}),
    };
  }

  /** `<yarn.staging-directory or hdfs:///user/<hdfs user>>/.tsflink/<appId>`. */
  static async stagingDirFor(applicationId: string, conf: Configuration): Promise<string> {
    const { resolveHdfsUser } = await import('../hdfs/index.js');
    const root = conf.getOptional(YarnConfigOptions.STAGING_DIRECTORY) ?? `hdfs:///user/${resolveHdfsUser(conf.toMap())}`;
    return `${root.replace(/\/+$/, '')}/.tsflink/${applicationId}`;
  }

  /** The REST bearer token of a running application, from its staging directory (readable by its submitter alone). */
  static async readRestToken(applicationId: string, conf: Configuration): Promise<string> {
    const { getFileSystem } = await import('../hdfs/index.js');
    const dir = await YarnClusterDescriptor.stagingDirFor(applicationId, conf);
    return (await getFileSystem(dir, conf.toMap()).readFile(`${dir}/${REST_TOKEN_FILE}`)).toString('utf8').trim();
  }

  /**
   * Deletes an application's staging directory (the AM does this itself; this is for apps that
   * were killed or whose AM died). Resolves whether something was deleted.
   */
  async deleteStagingDir(stagingDir: string): Promise<boolean> {
    const { getFileSystem } = await import('../hdfs/index.js');
    return getFileSystem(stagingDir).delete(stagingDir, true).catch(() => false);
  }

  /**
   * The NodeManager log URL of the application's (current or last) ApplicationMaster container,
   * from the ResourceManager's web services (yarn.resourcemanager.webapp.address); undefined when
   * the RM does not know it yet or its web services cannot be reached.
   */
  async amLogUrl(applicationId: ApplicationId | string, timeoutMs = 3000): Promise<string | undefined> {
    const id = typeof applicationId === 'string' ? applicationId : formatApplicationId(applicationId);
    const web = this.siteConf.get('yarn.resourcemanager.webapp.address');
    if (!web) return undefined;
    const base = /^https?:\/\//.test(web) ? web : `http://${web.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
    try {
      const res = await fetch(`${base}/ws/v1/cluster/apps/${id}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (!res.ok) return undefined;
      const body = (await res.json()) as { app?: { amContainerLogs?: unknown } };
      const url = body.app?.amContainerLogs;
      return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
    } catch {
      return undefined;
    }
  }

  /** Waits for FINISHED/FAILED/KILLED (no timeout by default). */
  async waitForFinalState(applicationId: ApplicationId, timeoutMs = Number.MAX_SAFE_INTEGER): Promise<ApplicationReport> {
    return this.yarn.waitForApplication(applicationId, { timeoutMs, pollMs: 500 });
  }
}

/** chmod 700 where the file system can (hdfs: SETPERMISSION; file: chmod). */
async function restrictToOwner(fs: unknown, dir: string): Promise<void> {
  const withChmod = fs as { setPermission?: (p: string, mode: string) => Promise<void>; scheme?: string };
  if (typeof withChmod.setPermission === 'function') await withChmod.setPermission(dir, '700');
  else if (withChmod.scheme === 'file') chmodSync(dir.replace(/^file:\/\//, ''), 0o700);
}

/**
 * yarn.ship-node: a Node distribution directory (with bin/node) is packed into a .tar.gz; a
 * .tar.gz/.tgz is used as is. Returns the archive and the node binary's path inside it.
 */
export function nodeArchive(path: string): { archive: string; binary: string; cleanup: () => void } {
  if (!existsSync(path)) throw new YarnDeploymentInputError(`yarn.ship-node: ${path} does not exist (expected a Node distribution directory or .tar.gz).`);
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'bin', 'node'))) throw new YarnDeploymentInputError(`yarn.ship-node: ${path} has no bin/node.`);
    const tmp = mkdtempSync(join(tmpdir(), 'tsflink-ship-node-'));
    const archive = join(tmp, FILE_NODE_ARCHIVE);
    execFileSync('tar', ['-czf', archive, '-C', path, '.'], { stdio: 'pipe' });
    return { archive, binary: 'bin/node', cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
  }
  if (!/\.(tar\.gz|tgz)$/.test(path)) throw new YarnDeploymentInputError(`yarn.ship-node: ${path} is neither a directory nor a .tar.gz/.tgz archive.`);
  const listing = execFileSync('tar', ['-tzf', path], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).toString('utf8').split('\n');
  const entry = listing.map((l) => l.replace(/^\.\//, '')).find((l) => /^([^/]+\/)?bin\/node$/.test(l));
  if (!entry) throw new YarnDeploymentInputError(`yarn.ship-node: no bin/node (at the top or one directory down) in ${path}.`);
  return { archive: path, binary: entry, cleanup: () => undefined };
}

/** `containerized.master.env.X=v` / `containerized.taskmanager.env.X=v` → { X: v } (Flink's container environment keys). */
export function prefixedEnv(conf: Configuration, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(conf.toMap())) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  return out;
}

/** yarn.ship-files entries: files ship as FILE, directories as a .tar.gz ARCHIVE (unpacked under their name). */
export function shipFileSpecs(paths: readonly string[], taken: readonly string[]): { path: string; name: string; type: 'FILE' | 'ARCHIVE' }[] {
  const names = new Set(taken);
  const out: { path: string; name: string; type: 'FILE' | 'ARCHIVE' }[] = [];
  for (const raw of paths) {
    const path = raw.trim();
    if (!path) continue;
    if (!existsSync(path)) throw new YarnDeploymentInputError(`yarn.ship-files: ${path} does not exist.`);
    const name = path.replace(/\/+$/, '').split('/').pop()!;
    if (!/^[A-Za-z0-9._-]+$/.test(name) || names.has(name) || name === NODE_RESOURCE_NAME) {
      throw new YarnDeploymentInputError(`yarn.ship-files: cannot ship ${path} as '${name}' (the name is taken or not a plain file name).`);
    }
    names.add(name);
    out.push({ path, name, type: statSync(path).isDirectory() ? 'ARCHIVE' : 'FILE' });
  }
  return out;
}

function tarDirectory(dir: string): Buffer {
  return execFileSync('tar', ['-czf', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
}
