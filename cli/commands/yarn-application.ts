// `tsflink yarn-application [flags] <job file> [job args…]`: runs a job in its own YARN
// application (Flink's application mode): the job's main() runs in the ApplicationMaster.
import { Flags } from '@oclif/core';
import { JobCommand, jobFlags } from '../JobCommand.js';
import { splitJobArgv, type PassthroughSpec } from '../argv.js';
import { CliError, ExitCode } from '../CliError.js';
import type { Configuration } from '../../runtime/configuration/Configuration.js';
import { deployApplicationCluster } from '../yarnApplication.js';

/** Flink's two-letter short options (-jm, -tm, -nm, -qu) mapped to long names oclif understands. */
const TWO_LETTER: Record<string, string> = { '-jm': '--jobManagerMemory', '-tm': '--taskManagerMemory', '-nm': '--name', '-qu': '--queue' };

export const yarnFlags = {
  jobManagerMemory: Flags.string({ description: 'Memory of the JobManager (ApplicationMaster) container, e.g. 1024m or 1g (-jm; sets jobmanager.memory.process.size).', helpValue: '<size>' }),
  taskManagerMemory: Flags.string({ description: 'Memory of each TaskManager container (-tm; sets taskmanager.memory.process.size).', helpValue: '<size>' }),
  slots: Flags.integer({ char: 's', min: 1, description: 'Slots per TaskManager (sets taskmanager.numberOfTaskSlots; default 1 on YARN).', helpValue: '<n>' }),
  name: Flags.string({ description: 'YARN application name (-nm; sets yarn.application.name).', helpValue: '<name>' }),
  queue: Flags.string({ description: 'YARN queue (-qu; sets yarn.application.queue).', helpValue: '<queue>' }),
  detached: Flags.boolean({ char: 'd', description: 'Return once the application runs instead of waiting for its end.' }),
};

const SPEC: PassthroughSpec = {
  shortWithValue: ['p', 'D', 's'],
  longWithValue: ['parallelism', 'conf-dir', 'jobManagerMemory', 'taskManagerMemory', 'slots', 'name', 'queue'],
};

/**
 * Rewrites Flink's two-letter options into their long names, but only in front of the job file:
 * everything after it belongs to the job, untouched.
 */
export function mapTwoLetterFlags(argv: readonly string[], spec: PassthroughSpec, map: Readonly<Record<string, string>> = TWO_LETTER): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--' || !tok.startsWith('-') || tok.length === 1) return [...out, ...argv.slice(i)];
    const mapped = map[tok] ?? tok;
    out.push(mapped);
    const takesValue = mapped.startsWith('--')
      ? !mapped.includes('=') && spec.longWithValue.includes(mapped.slice(2))
      : mapped.length === 2 && spec.shortWithValue.includes(mapped[1]!);
    if (takesValue && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/** Memory sizes without a unit are MB, as in Flink's -jm/-tm. */
export function memoryFlag(v: string): string {
  return /^\d+$/.test(v.trim()) ? `${v.trim()}m` : v.trim();
}

export function applyYarnFlags(conf: Configuration, flags: { jobManagerMemory?: string | undefined; taskManagerMemory?: string | undefined; slots?: number | undefined; name?: string | undefined; queue?: string | undefined }): void {
  if (flags.jobManagerMemory !== undefined) conf.setString('jobmanager.memory.process.size', memoryFlag(flags.jobManagerMemory), '-jm');
  if (flags.taskManagerMemory !== undefined) conf.setString('taskmanager.memory.process.size', memoryFlag(flags.taskManagerMemory), '-tm');
  if (flags.slots !== undefined) conf.setString('taskmanager.numberOfTaskSlots', String(flags.slots), '-s');
  if (flags.name !== undefined) conf.setString('yarn.application.name', flags.name, '-nm');
  if (flags.queue !== undefined) conf.setString('yarn.application.queue', flags.queue, '-qu');
}

export default class YarnApplication extends JobCommand {
  static override summary = 'Run a job in its own YARN application (application mode).';
  static override description =
    'Bundles <job file>, uploads it with the effective configuration to HDFS (.tsflink/<applicationId>/ in the HDFS home directory, or yarn.staging-directory), ' +
    "and submits a YARN application whose ApplicationMaster runs the JobManager and the job's main(); TaskManager containers are started on demand. " +
    'Reads the cluster addresses from $HADOOP_CONF_DIR. Attached (default): waits for the application to end and exits 0 if it SUCCEEDED, 1 if it FAILED, 4 if it was KILLED. ' +
    'With -d: returns once the application runs.';
  static override usage = 'yarn-application [-p <n>] [-D <key=value>]... [-jm <size>] [-tm <size>] [-s <slots>] [-nm <name>] [-qu <queue>] [-d] <job file> [job args...]';
  static override examples = [
    '<%= config.bin %> yarn-application -p 2 -tm 1g examples/wordcount.ts --output hdfs:///tmp/out',
    '<%= config.bin %> yarn-application -d -nm nightly -qu etl job.ts',
  ];
  static override flags = { ...jobFlags, ...yarnFlags };

  protected readonly commandName = 'yarn-application';

  async run(): Promise<void> {
    let code: number = ExitCode.SUCCESS;
    try {
      const argv = mapTwoLetterFlags(this.argv, SPEC);
      const split = splitJobArgv(argv, SPEC);
      const { flags } = await this.parse({ flags: YarnApplication.flags, strict: true, args: {} }, split.flags);
      if (split.jobFile === undefined) {
        throw new CliError('Missing job file. Usage: tsflink yarn-application [flags] <job file> [job args...]  (see: tsflink yarn-application --help)', ExitCode.USAGE);
      }
      const configuration = this.loadConfiguration(flags);
      applyYarnFlags(configuration, flags);
      const job = await this.prepareJob(split.jobFile, split.jobArgs, configuration);
      code = await deployApplicationCluster(configuration, job, flags.detached);
    } catch (e) {
      await this.flushOutput();
      this.fail(e);
    }
    await this.flushOutput();
    this.exit(code);
  }
}
