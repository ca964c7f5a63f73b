/**
 * Entry of the tsflink ApplicationMaster container (compiled to dist/yarn-am/main.js):
 *
 *   node <tsflink>/dist/yarn-am/main.js 1><LOG_DIR>/jobmanager.out 2><LOG_DIR>/jobmanager.err
 *
 * The working directory holds the localized files of the staging directory (config.yaml, the
 * Hadoop site files, and in application mode job.mjs + tsflink-job.json). Exits 0 once it has
 * unregistered from YARN (whatever the final status), non-zero only if it could not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationMaster, deleteStagingDir, hasShippedHadoopConf } from './ApplicationMaster.js';
import { AMRMClient } from './protocols/AMRMClient.js';
import { applyYarnLocalDirs, readContainerSecret } from './containerEnv.js';
import { RUNTIME_RESOURCE_NAME } from './YarnConstants.js';
import { CONTAINER_WORK_DIR, ENV_RUNTIME_ARCHIVE, ENV_CLUSTER_MODE, ENV_NODE_PATH, ENV_SHIP_FILES, shipStagingName, ENV_STAGING_DIR, FILE_NODE_ARCHIVE, NODE_RESOURCE_NAME, FILE_CONFIG, FILE_JOB_BUNDLE, FILE_JOB_SPEC, HADOOP_SITE_FILES, type ClusterMode, type JobSpec } from './YarnConstants.js';
import { localResourceFromUri, type LocalResource } from './protocols/records.js';
import { loadConfiguration } from '../runtime/configuration/loadConfiguration.js';
import { createLogger } from '../runtime/entrypoint/ClusterLog.js';

const log = createLogger('ApplicationMaster');

/** LocalResources for TaskManager containers: the staging dir's config and Hadoop site files. */
async function taskManagerResources(stagingDir: string | undefined, cwd: string): Promise<Record<string, LocalResource>> {
  const out: Record<string, LocalResource> = {};
  if (!stagingDir) return out;
  const { getFileSystem } = await import('../hdfs/index.js');
  const fs = getFileSystem(stagingDir);
  for (const name of [FILE_CONFIG, ...HADOOP_SITE_FILES]) {
    if (!existsSync(join(cwd, name))) continue;
    const st = await fs.getFileStatus(`${stagingDir}/${name}`);
    out[name] = localResourceFromUri(st.path, st.length, st.modificationTime, 'FILE', 'APPLICATION');
  }
  for (const entry of (process.env[ENV_SHIP_FILES] ?? '').split(',').filter(Boolean)) {
    const [name, type] = entry.split(':') as [string, 'FILE' | 'ARCHIVE'];
    const st = await fs.getFileStatus(`${stagingDir}/${shipStagingName(name, type)}`);
    out[name] = localResourceFromUri(st.path, st.length, st.modificationTime, type, 'APPLICATION');
  }
  const runtime = process.env[ENV_RUNTIME_ARCHIVE];
  if (runtime) {
    // The shipped tsflink runtime: TaskManagers run it from ./tsflink/ like the AM.
    const st = await fs.getFileStatus(runtime);
    out[RUNTIME_RESOURCE_NAME] = localResourceFromUri(st.path, st.length, st.modificationTime, 'ARCHIVE', 'PUBLIC');
  }
  if (process.env[ENV_NODE_PATH]) {
    // yarn.ship-node: TaskManagers get the same Node archive, unpacked into ./node/.
    const st = await fs.getFileStatus(`${stagingDir}/${FILE_NODE_ARCHIVE}`);
    out[NODE_RESOURCE_NAME] = localResourceFromUri(st.path, st.length, st.modificationTime, 'ARCHIVE', 'APPLICATION');
  }
  return out;
}

async function main(): Promise<number> {
  const cwd = process.cwd();
  // The client ships its Hadoop client configuration; use it (NodeManagers may have none).
  if (hasShippedHadoopConf(cwd)) process.env['HADOOP_CONF_DIR'] = cwd;
  const secret = readContainerSecret();
  const mode = (process.env[ENV_CLUSTER_MODE] ?? 'application') as ClusterMode;
  const stagingDir = process.env[ENV_STAGING_DIR];
  const configuration = loadConfiguration({ confDir: cwd });
  applyYarnLocalDirs(configuration);
  let job: { bundlePath: string; spec: JobSpec } | undefined;
  if (mode === 'application') {
    const spec = JSON.parse(readFileSync(join(cwd, FILE_JOB_SPEC), 'utf8')) as JobSpec;
    job = { bundlePath: join(cwd, FILE_JOB_BUNDLE), spec };
  }
  log('INFO', `Starting in ${mode} mode in container ${process.env['CONTAINER_ID'] ?? '?'} on ${process.env['NM_HOST'] ?? '?'} (node ${process.version}, pid ${process.pid})`);
  const am = new ApplicationMaster({
    mode,
    configuration,
    secret,
    workDir: join(cwd, CONTAINER_WORK_DIR),
    ...(job ? { job } : {}),
    taskManagerResources: await taskManagerResources(stagingDir, cwd),
    ...(stagingDir ? { stagingDir } : {}),
    ...(process.env[ENV_NODE_PATH] ? { nodePath: `./${process.env[ENV_NODE_PATH]}` } : {}),
  });
  const onSignal = (sig: string): void => am.onTerminationSignal(sig);
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const r = await am.run();
  log('INFO', `Final status ${r.finalStatus}`);
  return 0;
}

/**
 * The AM could not even start its JobManager: still register and unregister FAILED, so the error
 * reaches YARN's diagnostics (and the client) instead of a bare "exit code 1".
 */
async function reportStartupFailure(e: unknown): Promise<void> {
  const text = `The tsflink ApplicationMaster failed to start: ${(e as Error).stack ?? String(e)}`;
  process.stderr.write(`${text}\n`);
  const amrm = AMRMClient.fromEnvironment();
  try {
    await amrm.registerApplicationMaster({ host: process.env['NM_HOST'] ?? 'localhost', rpcPort: -1, trackingUrl: '' });
    await amrm.finishApplicationMaster({ finalStatus: 'FAILED', diagnostics: text.slice(0, 16_000) });
    const stagingDir = process.env[ENV_STAGING_DIR];
    if (stagingDir) await deleteStagingDir(stagingDir);
  } finally {
    amrm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) =>
    reportStartupFailure(e).then(
      () => process.exit(0),
      (e2: unknown) => {
        process.stderr.write(`Reporting the failure to YARN failed too: ${(e2 as Error).stack ?? String(e2)}\n`);
        process.exit(1);
      },
    ),
);
