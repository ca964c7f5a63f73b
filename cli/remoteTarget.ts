// Options that point a command at a running cluster (-m, -t, rest.address) and the REST client for it.
import { Flags } from '@oclif/core';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import { CliError, ExitCode } from './CliError.js';

export const clusterFlags = {
  jobmanager: Flags.string({
    char: 'm',
    description: "Address of the JobManager's REST endpoint (sets rest.address and rest.port, and execution.target=remote).",
    helpValue: '<host:port>',
  }),
  target: Flags.string({
    char: 't',
    description: 'Deployment target (execution.target): local (embedded MiniCluster) or remote (rest.address:rest.port).',
    helpValue: '<target>',
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
export function applyClusterFlags(conf: Configuration, flags: { jobmanager?: string | undefined; target?: string | undefined }): string | undefined {
  let source: string | undefined;
  if (flags.target !== undefined) conf.setString('execution.target', flags.target, '--target');
  if (flags.jobmanager !== undefined) {
    const { host, port } = parseHostPort(flags.jobmanager);
    conf.setString('rest.address', host, '-m');
    conf.setString('rest.port', String(port), '-m');
    if (flags.target === undefined) conf.setString('execution.target', 'remote', '-m');
    source = `from -m ${flags.jobmanager}`;
  } else if (conf.getString('execution.target') === undefined && conf.getString('rest.address') !== undefined) {
    conf.setString('execution.target', 'remote', conf.getSource('rest.address') ?? 'rest.address');
  }
  return source;
}
