// Base of commands that talk to a running cluster over REST (list, cancel).
import { Command } from '@oclif/core';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import type { RestClusterClient } from '../runtime/client/RestClusterClient.js';
import { CliError, ExitCode, failCommand } from './CliError.js';
import { jobFlags, loadCommandConfiguration } from './JobCommand.js';
import { applyClusterFlags, clusterFlags } from './remoteTarget.js';
import { standaloneRestToken } from './restCredential.js';

export const restCommandFlags = {
  ...clusterFlags,
  dynamic: jobFlags.dynamic,
  'conf-dir': jobFlags['conf-dir'],
};

export abstract class RestCommand extends Command {
  /** Configuration (defaults < config.yaml < -D < -m/-t) and a REST client for the cluster it names. */
  protected async clusterClient(flags: { jobmanager?: string | undefined; target?: string | undefined; dynamic?: string[] | undefined; 'conf-dir'?: string | undefined; 'work-dir'?: string | undefined; restToken?: string | undefined }): Promise<{ conf: Configuration; client: RestClusterClient }> {
    const conf = loadCommandConfiguration(flags);
    const source = applyClusterFlags(conf, flags);
    if (conf.getString('execution.target') === 'local') {
      throw new CliError(`tsflink ${this.id ?? ''} needs a running cluster: the target 'local' has none. Use -m <host:port> or set rest.address.`, ExitCode.USAGE);
    }
    const { RestClusterClient } = await import('../runtime/client/RestClusterClient.js');
    const token = flags.restToken ?? standaloneRestToken(conf, flags['work-dir']);
    return { conf, client: RestClusterClient.fromConfiguration(conf, source, token) };
  }

  /** Prints the error and exits with its code (see CliError.ts). */
  protected fail(e: unknown): never {
    return failCommand(e, (code) => this.exit(code));
  }
}
