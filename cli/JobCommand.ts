// Shared parts of commands that take `[flags] <job file> [job args…]` (run, info):
// argv splitting, configuration loading (defaults < config.yaml < -D < flags) and bundling.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Flags, type Interfaces } from '@oclif/core';
import { Configuration } from '../runtime/configuration/Configuration.js';
import { PipelineOptions } from '../runtime/configuration/index.js';
import { loadConfiguration, parseDynamicProperties } from '../runtime/configuration/loadConfiguration.js';
import { type JobBundle } from '../runtime/usercode/JobBundle.js';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { CliError, ExitCode, failCommand } from './CliError.js';
import { JOB_FILE_COMMANDS, splitJobArgv, type PassthroughSpec } from './argv.js';

export const jobFlags = {
  parallelism: Flags.integer({
    char: 'p',
    min: 1,
    description: 'Default parallelism of the job (sets parallelism.default).',
    helpValue: '<n>',
  }),
  dynamic: Flags.string({
    char: 'D',
    multiple: true,
    multipleNonGreedy: true,
    description: 'Set a configuration value, e.g. -D execution.runtime-mode=BATCH (repeatable; overrides config.yaml).',
    helpValue: '<key=value>',
  }),
  'conf-dir': Flags.string({
    description: 'Directory containing config.yaml (default: $TSFLINK_CONF_DIR, $FLINK_CONF_DIR, or <tsflink>/conf).',
    helpValue: '<dir>',
  }),
};

/**
 * Loads the configuration of a command: defaults < config.yaml (of --conf-dir, which must exist) < -D.
 */
export function loadCommandConfiguration(flags: { dynamic?: string[] | undefined; 'conf-dir'?: string | undefined }): Configuration {
  const confDir = flags['conf-dir'];
  if (confDir !== undefined) {
    const dir = resolve(confDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new CliError(`Configuration directory not found: ${dir} (from --conf-dir). It must contain config.yaml.`, ExitCode.USAGE);
    }
  }
  return loadConfiguration({
    ...(confDir !== undefined ? { confDir } : {}),
    dynamicProperties: parseDynamicProperties(flags.dynamic ?? []),
  });
}

export interface PreparedJob {
  readonly configuration: Configuration;
  readonly bundle: JobBundle;
  readonly args: string[];
}

export abstract class JobCommand extends Command {
  // Job arguments are not ours to validate; they are split off before oclif parses the flags.
  static override strict = false;

  protected abstract readonly commandName: keyof typeof JOB_FILE_COMMANDS & string;

  /** Parses `this.argv`: the tsflink flags (validated by oclif), the job file and the job's args. */
  protected async parseJobArgv<F extends Interfaces.FlagInput>(
    flagDefs: F,
  ): Promise<{ flags: Interfaces.InferredFlags<F>; jobFile: string; jobArgs: string[] }> {
    const spec: PassthroughSpec = JOB_FILE_COMMANDS[this.commandName]!;
    const split = splitJobArgv(this.argv, spec);
    const { flags } = await this.parse({ flags: flagDefs, strict: true, args: {} }, split.flags);
    if (split.jobFile === undefined) {
      throw new CliError(`Missing job file. Usage: tsflink ${this.commandName} [flags] <job file> [job args...]  (see: tsflink ${this.commandName} --help)`, ExitCode.USAGE);
    }
    return { flags: flags as Interfaces.InferredFlags<F>, jobFile: split.jobFile, jobArgs: split.jobArgs };
  }

  /** Loads the configuration: defaults < config.yaml < -D < command-line flags. */
  protected loadConfiguration(flags: { parallelism?: number | undefined; dynamic?: string[] | undefined; 'conf-dir'?: string | undefined }): Configuration {
    const conf = loadCommandConfiguration(flags);
    if (flags.parallelism !== undefined) conf.setString('parallelism.default', String(flags.parallelism), '--parallelism');
    return conf;
  }

  protected async prepareJob(jobFile: string, jobArgs: string[], configuration: Configuration): Promise<PreparedJob> {
    const bundle = await bundleJob(jobFile, { externalPackages: configuration.get(PipelineOptions.EXTERNAL_PACKAGES) });
    return { configuration, bundle, args: jobArgs };
  }

  /** Lets pending output (e.g. lines forwarded from worker threads) reach stdout/stderr before exiting. */
  protected async flushOutput(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    for (const stream of [process.stdout, process.stderr]) {
      if (stream.writableNeedDrain) await new Promise<void>((r) => stream.once('drain', () => r()));
    }
  }

  /** Prints the error and exits with its code (see CliError.ts / docs/cli.md). */
  protected fail(e: unknown): never {
    return failCommand(e, (code) => this.exit(code));
  }
}
