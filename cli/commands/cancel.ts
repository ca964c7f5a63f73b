// `tsflink cancel [-m host:port] <jobId>`: cancels a job and waits until it is CANCELED.
import { Args, Flags } from '@oclif/core';
import { CliError, ExitCode } from '../CliError.js';
import { RestCommand, restCommandFlags } from '../RestCommand.js';
import { resolveYarnSessionRestFlags } from '../remoteTarget.js';

export default class Cancel extends RestCommand {
  static override summary = 'Cancel a running job.';
  static override description = 'Prints "Cancelling job <id>." and, once the job has reached CANCELED, "Cancelled job <id>." (Flink\'s lines). Exit 0 when cancelled. The cluster: -m, rest.address, or with -t yarn-session (or -D yarn.application.id) the YARN session\'s JobManager.';
  static override usage = 'cancel [-m <host:port> | -t yarn-session [-D yarn.application.id=<appId>]] [-D <key=value>]... [--conf-dir <dir>] <jobId>';
  static override examples = ['<%= config.bin %> cancel -m localhost:8081 8c4f0d1e2b3a49d6a7f8e9c0b1a2d3e4'];
  static override args = { jobId: Args.string({ required: true, description: 'The job id (32 hexadecimal characters).' }) };
  static override flags = {
    ...restCommandFlags,
    timeout: Flags.integer({ description: 'Seconds to wait for the job to reach CANCELED.', default: 60, min: 1 }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(Cancel);
      const jobId = args.jobId.toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(jobId)) throw new CliError(`Invalid job id '${args.jobId}': a job id is 32 hexadecimal characters (see tsflink list).`, ExitCode.USAGE);
      const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
      process.stdout.write(`Cancelling job ${jobId}.\n`);
      await client.cancelJob(jobId);
      const d = await client.waitForTermination(jobId, flags.timeout * 1000);
      if (d.state !== 'CANCELED') throw new CliError(`Job ${jobId} ended ${d.state} instead of CANCELED.`, ExitCode.JOB_FAILED);
      process.stdout.write(`Cancelled job ${jobId}.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
