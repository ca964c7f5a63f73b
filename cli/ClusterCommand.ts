// Shared parts of the cluster process commands (jobmanager, taskmanager, cluster start|stop):
// working directory, configuration, and the cluster secret.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Flags } from '@oclif/core';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import { loadConfiguration, parseDynamicProperties } from '../runtime/configuration/loadConfiguration.js';
import { SecurityOptions } from '../runtime/configuration/index.js';
import { generateClusterSecret } from '../runtime/security/ClusterSecret.js';
import { CliError, ExitCode, failCommand } from './CliError.js';

export const clusterFlags = {
  'work-dir': Flags.string({ description: 'Working directory for pid files, logs, bundles and the cluster secret (default: $TSFLINK_WORK_DIR or ./.tsflink).', helpValue: '<dir>' }),
  dynamic: Flags.string({ char: 'D', multiple: true, multipleNonGreedy: true, description: 'Set a configuration value (repeatable).', helpValue: '<key=value>' }),
  'conf-dir': Flags.string({ description: 'Directory containing config.yaml.', helpValue: '<dir>' }),
};

export abstract class ClusterCommand extends Command {
  protected workDir(flag: string | undefined): string {
    const dir = resolve(flag ?? process.env['TSFLINK_WORK_DIR'] ?? '.tsflink');
    mkdirSync(join(dir, 'log'), { recursive: true });
    return dir;
  }

  protected conf(flags: { dynamic?: string[] | undefined; 'conf-dir'?: string | undefined }): Configuration {
    return loadConfiguration({ ...(flags['conf-dir'] ? { confDir: flags['conf-dir'] } : {}), dynamicProperties: parseDynamicProperties(flags.dynamic ?? []) });
  }

  /**
   * The cluster secret: $TSFLINK_CLUSTER_SECRET, 'security.cluster.secret', or the work dir's
   * cluster-secret file (created with mode 600 when `create`).
   */
  protected secret(conf: Configuration, workDir: string, create: boolean): string {
    const fromEnv = process.env['TSFLINK_CLUSTER_SECRET'];
    if (fromEnv) return fromEnv;
    const fromConf = conf.getOptional(SecurityOptions.CLUSTER_SECRET);
    if (fromConf) return fromConf;
    const file = join(workDir, 'cluster-secret');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    if (!create) {
      throw new CliError(`No cluster secret: set TSFLINK_CLUSTER_SECRET or 'security.cluster.secret', or start the JobManager first with the same --work-dir (${workDir}).`, ExitCode.USAGE);
    }
    const s = generateClusterSecret();
    writeFileSync(file, s + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    return s;
  }

  protected fail(e: unknown): never {
    return failCommand(e, (code) => this.exit(code));
  }

  /** Runs until SIGTERM/SIGINT, then stops cleanly. */
  protected waitForSignal(stop: () => Promise<void>): Promise<void> {
    return new Promise((resolveDone) => {
      let stopping = false;
      const onSignal = (sig: string): void => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`Received ${sig}, shutting down\n`);
        void stop().finally(() => resolveDone());
      };
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      process.once('SIGINT', () => onSignal('SIGINT'));
    });
  }
}
