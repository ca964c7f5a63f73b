// Options that point a command at a running cluster (-m, -t, rest.address) and the REST client for it.
import { Flags } from '@oclif/core';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import { loadConfiguration, parseDynamicProperties } from '../runtime/configuration/loadConfiguration.js';
import { CliError, ExitCode } from './CliError.js';
import { openYarnClusterDescriptor } from './yarnDescriptor.js';

export const clusterFlags = {
  jobmanager: Flags.string({
    char: 'm',
    description: "Address of the JobManager's REST endpoint (sets rest.address and rest.port, and execution.target=remote).",
    helpValue: '<host:port>',
  }),
  target: Flags.string({
    char: 't',
    description: 'Deployment target (execution.target): local (embedded MiniCluster), remote (rest.address:rest.port) or yarn-session (the YARN session in yarn.application.id or the YARN properties file).',
    helpValue: '<target>',
  }),
  'work-dir': Flags.string({
    description: "Work dir of the standalone cluster (its cluster-secret file gives the REST token; default: $TSFLINK_WORK_DIR or ./.tsflink).",
    helpValue: '<dir>',
  }),
};

/** Parses `host:port` (IPv6 as `[::1]:8081`). */
export function parseHostPort(value: string, flag = '-m'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new CliError(`Invalid ${flag} value '${value}': expected <host>:<port> of the JobManager's REST endpoint, e.g. localhost:8081.`, ExitCode.USAGE);
  }
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * Applies -m / -t to the configuration and decides the target: -m means remote; so does a
 * configured rest.address when no target is set. Returns where the REST address came from
 * (for "could not reach …" errors), or undefined to let the client describe the configuration.
 */
export function applyClusterFlags(conf: Configuration, flags: ClusterFlagValues): string | undefined {
  let source: string | undefined;
  if (flags.target !== undefined) conf.setString('execution.target', flags.target, '--target');
  if (flags.jobmanager !== undefined) {
    const { host, port } = parseHostPort(flags.jobmanager);
    conf.setString('rest.address', host, '-m');
    conf.setString('rest.port', String(port), '-m');
    if (flags.target === undefined) conf.setString('execution.target', 'remote', '-m');
    source = flags.jobmanagerSource ?? `from -m ${flags.jobmanager}`;
  } else if (conf.getString('execution.target') === undefined && conf.getString('rest.address') !== undefined) {
    conf.setString('execution.target', 'remote', conf.getSource('rest.address') ?? 'rest.address');
  }
  return source;
}

/** -m / -t values as parsed, plus where a -m-like address came from when it was not typed (YARN). */
export interface ClusterFlagValues {
  jobmanager?: string | undefined;
  target?: string | undefined;
  /** Describes the origin of `jobmanager` for "could not reach …" errors (default: "from -m …"). */
  jobmanagerSource?: string | undefined;
  /** REST bearer token found for the cluster (a YARN application's, from its staging directory). */
  restToken?: string | undefined;
}

/** Whether the command targets a YARN session: -t yarn-session, execution.target, or yarn.application.id without another target. */
export function targetsYarnSession(conf: Configuration, flags: ClusterFlagValues, alsoApplication = false): boolean {
  if (flags.jobmanager !== undefined) return false;
  const target = flags.target ?? conf.getString('execution.target');
  if (target !== undefined) return target === 'yarn-session' || (alsoApplication && target === 'yarn-application');
  return conf.getString('yarn.application.id') !== undefined && conf.getString('rest.address') === undefined;
}

/**
 * `-t yarn-session`: finds the session's application id (yarn.application.id, else the YARN
 * properties file written by `tsflink yarn-session`), asks the ResourceManager for its report and
 * returns the flags with `jobmanager` set to the JobManager's REST address (what the AM
 * registered: host and REST port, as in Flink) — so the rest of the command works as with -m.
 * Flags that do not target a YARN session are returned unchanged.
 */
export async function resolveYarnSessionFlags<F extends ClusterFlagValues>(conf: Configuration, flags: F, alsoApplication = false): Promise<F> {
  if (!targetsYarnSession(conf, flags, alsoApplication)) return flags;
  const { yarnPropertiesFile, readYarnPropertiesFile, resolveSessionRestAddress } = await import('../yarn-am/YarnSession.js');
  let applicationId = conf.getString('yarn.application.id');
  const confSource = conf.getSource('yarn.application.id');
  let idSource = `yarn.application.id${confSource ? ` (${confSource})` : ''}`;
  if (applicationId === undefined) {
    const file = yarnPropertiesFile(conf.getString('yarn.properties-file.location'));
    applicationId = readYarnPropertiesFile(file);
    idSource = `the YARN properties file ${file}`;
    if (applicationId === undefined) {
      throw new CliError(`No YARN session to submit to: set -D yarn.application.id=<applicationId>, or start one with tsflink yarn-session (no properties file at ${file}).`, ExitCode.USAGE);
    }
  }
  if (!/^application_\d+_\d+$/.test(applicationId)) {
    throw new CliError(`Invalid YARN application id '${applicationId}' (from ${idSource}): expected application_<clusterTimestamp>_<sequence>.`, ExitCode.USAGE);
  }
  const descriptor = await openYarnClusterDescriptor();
  try {
    let address: { host: string; port: number };
    try {
      address = await resolveSessionRestAddress(descriptor.yarn, applicationId);
    } catch (e) {
      const msg = (e as Error).message;
      // The session is gone or not a tsflink session: bad input, not an unreachable cluster.
      if (/is (FINISHED|FAILED|KILLED|NEW|NEW_SAVING|SUBMITTED|ACCEPTED), not RUNNING|has not published/.test(msg)) {
        throw new CliError(`${msg} (application id from ${idSource})`, ExitCode.USAGE, { cause: e });
      }
      if ((e as { className?: unknown }).className === 'org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException' || /ApplicationNotFoundException/.test((e as Error).name)) {
        throw new CliError(`The YARN ResourceManager does not know the application ${applicationId} (from ${idSource}): no such session.`, ExitCode.USAGE, { cause: e });
      }
      throw e;
    }
    const hostPort = address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
    const { YarnClusterDescriptor } = await import('../yarn-am/YarnClusterDescriptor.js');
    let restToken: string;
    try {
      restToken = await YarnClusterDescriptor.readRestToken(applicationId, conf);
    } catch (e) {
      throw new CliError(`Cannot read the REST token of the YARN application ${applicationId} from its staging directory (${await YarnClusterDescriptor.stagingDirFor(applicationId, conf)}): ` +
        `${(e as Error).message}. Only the user who submitted it can read it (run as that user, or set HADOOP_USER_NAME / fs.hdfs.user; yarn.staging-directory if it was set at submission).`, ExitCode.USAGE, { cause: e });
    }
    return { ...flags, target: undefined, jobmanager: hostPort, restToken, jobmanagerSource: `of the YARN application ${applicationId} (application id from ${idSource}; REST address from its YARN report: ${hostPort})` };
  } finally {
    descriptor.close();
  }
}

/**
 * For REST commands (list, cancel) that load their configuration themselves: loads it like they
 * do (config.yaml of --conf-dir, -D) and resolves a YARN session target into -m.
 */
export async function resolveYarnSessionRestFlags<F extends ClusterFlagValues & { dynamic?: string[] | undefined; 'conf-dir'?: string | undefined }>(flags: F): Promise<F> {
  if (flags.jobmanager !== undefined) return flags;
  let conf: Configuration;
  try {
    const confDir = flags['conf-dir'];
    conf = loadConfiguration({ ...(confDir !== undefined ? { confDir } : {}), dynamicProperties: parseDynamicProperties(flags.dynamic ?? []) });
  } catch {
    return flags; // the command reports the bad configuration itself
  }
  return resolveYarnSessionFlags(conf, flags, true);
}
