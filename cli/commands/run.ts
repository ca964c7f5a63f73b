// `tsflink run [flags] <job file> [job args…]`: bundles the job and runs its main() with the
// CLI's execution environment (an embedded MiniCluster unless configured otherwise).
import { JobCommand, jobFlags } from '../JobCommand.js';
import { Flags } from '@oclif/core';
import { ExitCode } from '../CliError.js';

export default class Run extends JobCommand {
  static override summary = 'Run a job.';
  static override description =
    'Bundles <job file> (TypeScript or JavaScript ES module whose default export is `async function main(args: string[])`) ' +
    'and runs it. Everything after the job file is passed to main() unchanged, including arguments that start with "-". ' +
    'Configuration precedence: defaults < config.yaml < -D < flags < code.';
  static override usage = 'run [-p <n>] [-D <key=value>]... [--conf-dir <dir>] <job file> [job args...]';
  static override examples = [
    '<%= config.bin %> run examples/wordcount.ts',
    '<%= config.bin %> run -p 4 -D execution.runtime-mode=BATCH job.ts --input data.txt --output out/',
    '<%= config.bin %> run -s file:///tmp/savepoints/savepoint-1a2b3c-0123456789ab job.ts',
  ];
  static override args = {};
  static override flags = {
    ...jobFlags,
    fromSavepoint: Flags.string({
      char: 's',
      description: 'Restore the job from this savepoint or retained checkpoint (sets execution.state-recovery.path).',
      helpValue: '<path>',
    }),
    allowNonRestoredState: Flags.boolean({
      char: 'n',
      description: 'Allow skipping savepoint state that cannot be mapped to the job (sets execution.state-recovery.ignore-unclaimed-state).',
    }),
  };

  protected readonly commandName = 'run';

  async run(): Promise<void> {
    try {
      const { flags, jobFile, jobArgs } = await this.parseJobArgv(Run.flags);
      const configuration = this.loadConfiguration(flags);
      if (flags.fromSavepoint !== undefined) configuration.setString('execution.state-recovery.path', flags.fromSavepoint, '--fromSavepoint');
      if (flags.allowNonRestoredState) configuration.setString('execution.state-recovery.ignore-unclaimed-state', 'true', '--allowNonRestoredState');
      const job = await this.prepareJob(jobFile, jobArgs, configuration);
      // Loaded lazily: the runtime (MiniCluster, worker threads) is only needed once input is valid.
      const { runProgram } = await import('../../runtime/client/ProgramRunner.js');
      await runProgram(job);
    } catch (e) {
      await this.flushOutput();
      this.fail(e);
    }
    await this.flushOutput();
    // Exit explicitly: a finished job must end the CLI even if a library left a timer or socket open.
    this.exit(ExitCode.SUCCESS);
  }
}
