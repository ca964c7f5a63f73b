// `tsflink stop [-m host:port] [--savepointPath <dir>] [--drain] <jobId>` (Flink's `flink stop`):
// stop-with-savepoint over REST (POST /jobs/:jobid/stop): a synchronous savepoint, then the job FINISHES.
import { Args, Flags } from '@oclif/core';
import { SavepointOperationException } from '../../runtime/client/RestClusterClient.js';
import { CliError, ExitCode } from '../CliError.js';
import { RestCommand, restCommandFlags } from '../RestCommand.js';
import { resolveYarnSessionRestFlags } from '../remoteTarget.js';

export default class Stop extends RestCommand {
  static override summary = 'Stop a running job with a savepoint.';
  static override description = 'Stop-with-savepoint: the sources stop, a savepoint is taken, and the job ends FINISHED. Prints "Suspending job "<id>" with a CANONICAL savepoint." '
    + '("Draining job …" with --drain) and "Savepoint completed. Path: <dir>" (Flink\'s lines). --drain first emits the +∞ watermark, so every event-time timer and window fires: '
    + 'use it only when the job will not be resumed. Without --savepointPath the savepoint goes below execution.checkpointing.savepoint-dir. Exit 0 on success, 1 when the savepoint failed '
    + '(the job then fails over to its latest checkpoint and keeps running).';
  static override usage = 'stop [-m <host:port> | -t yarn-session] [-p <savepointDir>] [-d] [--type canonical|native] <jobId>';
  static override examples = ['<%= config.bin %> stop -m localhost:8081 -p hdfs:///flink/savepoints 8c4f0d1e2b3a49d6a7f8e9c0b1a2d3e4'];
  static override args = { jobId: Args.string({ required: true, description: 'The job id (32 hexadecimal characters).' }) };
  static override flags = {
    ...restCommandFlags,
    savepointPath: Flags.string({ char: 'p', description: 'Base directory of the savepoint (file:// or hdfs://); default execution.checkpointing.savepoint-dir.' }),
    drain: Flags.boolean({ char: 'd', description: 'Emit the +∞ watermark before the savepoint: all event-time timers and windows fire.', default: false }),
    type: Flags.string({ description: 'Savepoint format: canonical or native (the same bytes on the heap backend).', options: ['canonical', 'native'], default: 'canonical' }),
    timeout: Flags.integer({ description: 'Seconds to wait for the savepoint and the job\'s end.', default: 600, min: 1 }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(Stop);
      const jobId = args.jobId.toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(jobId)) throw new CliError(`Invalid job id '${args.jobId}': a job id is 32 hexadecimal characters (see tsflink list).`, ExitCode.USAGE);
      const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
      const formatType = flags.type === 'native' ? 'NATIVE' : 'CANONICAL';
      process.stdout.write(`${flags.drain ? 'Draining' : 'Suspending'} job "${jobId}" with a ${formatType} savepoint.\n`);
      const path = await client.stopWithSavepoint(jobId, flags.drain, flags.savepointPath, { formatType, timeoutMs: flags.timeout * 1000 });
      process.stdout.write(`Savepoint completed. Path: ${path}\n`);
    } catch (e) {
      if (e instanceof SavepointOperationException) {
        process.stderr.write(`Error: Stopping the job with a savepoint failed: ${e.message}\n`);
        this.exit(ExitCode.JOB_FAILED);
      }
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
