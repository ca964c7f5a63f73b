// `tsflink info [flags] <job file> [job args…]`: prints the JobGraph(s) the job builds, without running it.
import { Flags } from '@oclif/core';
import { ExitCode } from '../CliError.js';
import { JobCommand, jobFlags } from '../JobCommand.js';
import { formatJobGraphs } from '../format/JobGraphPrinter.js';

export default class Info extends JobCommand {
  static override summary = 'Show the JobGraph(s) a job builds, without running it.';
  static override description =
    'Evaluates the job\'s main() with a planning environment and prints every JobGraph it would submit: vertices with ' +
    'their chained operators, parallelism, max parallelism and slot sharing group; edges with partitioner and result partition type.';
  static override usage = 'info [-p <n>] [-D <key=value>]... [--conf-dir <dir>] [--json] <job file> [job args...]';
  static override examples = [
    '<%= config.bin %> info examples/wordcount.ts',
    '<%= config.bin %> info --json -p 4 job.ts --input data.txt',
  ];
  static override args = {};
  static override flags = {
    ...jobFlags,
    json: Flags.boolean({ description: 'Print the JobGraphs as JSON (an array, one entry per execute() call).' }),
  };

  protected readonly commandName = 'info';

  async run(): Promise<void> {
    try {
      const { flags, jobFile, jobArgs } = await this.parseJobArgv(Info.flags);
      const configuration = this.loadConfiguration(flags);
      const job = await this.prepareJob(jobFile, jobArgs, configuration);
      const { planProgram } = await import('../../runtime/client/ProgramRunner.js');
      const graphs = await planProgram(job);
      process.stdout.write(flags.json ? `${JSON.stringify(graphs, null, 2)}\n` : `${formatJobGraphs(graphs)}\n`);
    } catch (e) {
      await this.flushOutput();
      this.fail(e);
    }
    await this.flushOutput();
    this.exit(ExitCode.SUCCESS);
  }
}
