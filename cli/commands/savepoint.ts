// `tsflink savepoint [-m host:port] <jobId> [targetDirectory]` and `tsflink savepoint -d <path>`
// (Flink's `flink savepoint`): triggers a savepoint over REST (POST /jobs/:jobid/savepoints) and
// polls it, or disposes one (POST /savepoint-disposal); prints Flink's lines.
import { Args, Flags } from '@oclif/core';
import { type RestClusterClient, SavepointOperationException } from '../../runtime/client/RestClusterClient.js';
import { CliError, ExitCode } from '../CliError.js';
import { RestCommand, restCommandFlags } from '../RestCommand.js';
import { resolveYarnSessionRestFlags } from '../remoteTarget.js';

export default class Savepoint extends RestCommand {
  static override summary = 'Trigger a savepoint of a running job, or dispose of a savepoint.';
  static override description = 'Prints "Triggering savepoint for job <id>.", "Waiting for response..." and "Savepoint completed. Path: <dir>" (Flink\'s lines). '
    + 'The savepoint goes to <targetDirectory>/savepoint-<6 of the job id>-<12 hex>/, or below execution.checkpointing.savepoint-dir without a target. '
    + 'With -d <path>, deletes that savepoint instead. Exit 0 on success, 1 when the savepoint failed. Savepoints need a STREAMING job (periodic checkpointing is not required). '
    + 'The cluster: -m, rest.address, or with -t yarn-session (or -D yarn.application.id) the YARN session\'s JobManager.';
  static override usage = [
    'savepoint [-m <host:port> | -t yarn-session] [--type canonical|native] [-D <key=value>]... <jobId> [<targetDirectory>]',
    'savepoint [-m <host:port>] -d <savepointPath>',
  ];
  static override examples = [
    '<%= config.bin %> savepoint -m localhost:8081 8c4f0d1e2b3a49d6a7f8e9c0b1a2d3e4 hdfs:///flink/savepoints',
    '<%= config.bin %> savepoint -m localhost:8081 -d hdfs:///flink/savepoints/savepoint-8c4f0d-1a2b3c4d5e6f',
  ];
  static override args = {
    jobId: Args.string({ required: false, description: 'The job id (32 hexadecimal characters).' }),
    targetDirectory: Args.string({ required: false, description: 'Base directory of the savepoint (file:// or hdfs://); default execution.checkpointing.savepoint-dir.' }),
  };
  static override flags = {
    ...restCommandFlags,
    dispose: Flags.string({ char: 'd', description: 'Dispose of (delete) the savepoint at this path instead of triggering one.' }),
    type: Flags.string({ description: 'Savepoint format: canonical (backend independent) or native; the heap backend writes the same bytes for both.', options: ['canonical', 'native'], default: 'canonical' }),
    timeout: Flags.integer({ description: 'Seconds to wait for the savepoint (or the disposal) to complete.', default: 600, min: 1 }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(Savepoint);
      const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
      if (flags.dispose !== undefined) {
        if (args.jobId !== undefined) throw new CliError('savepoint -d takes the savepoint path only, no job id.', ExitCode.USAGE);
        process.stdout.write(`Disposing savepoint '${flags.dispose}'.\nWaiting for response...\n`);
        await client.disposeSavepoint(flags.dispose, flags.timeout * 1000);
        process.stdout.write(`Savepoint '${flags.dispose}' disposed.\n`);
      } else {
        await this.trigger(client, args.jobId, args.targetDirectory, flags.type, flags.timeout);
      }
    } catch (e) {
      if (e instanceof SavepointOperationException) {
        process.stderr.write(`Error: The savepoint operation failed: ${e.message}\n`);
        this.exit(ExitCode.JOB_FAILED);
      }
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }

  private async trigger(client: RestClusterClient, jobIdArg: string | undefined, targetDirectory: string | undefined, type: string, timeout: number): Promise<void> {
    if (jobIdArg === undefined) throw new CliError('Missing the job id: tsflink savepoint <jobId> [<targetDirectory>] (see tsflink list), or -d <savepointPath> to dispose.', ExitCode.USAGE);
    const jobId = jobIdArg.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(jobId)) throw new CliError(`Invalid job id '${jobIdArg}': a job id is 32 hexadecimal characters (see tsflink list).`, ExitCode.USAGE);
    process.stdout.write(`Triggering savepoint for job ${jobId}.\nWaiting for response...\n`);
    const path = await client.triggerSavepoint(jobId, targetDirectory, { formatType: type === 'native' ? 'NATIVE' : 'CANONICAL', timeoutMs: timeout * 1000 });
    process.stdout.write(`Savepoint completed. Path: ${path}\nYou can resume your program from this savepoint with the run command.\n`);
  }
}
