// `tsflink checkpoint [-m host:port] [--full] <jobId>` (Flink's `flink checkpoint`): triggers a
// checkpoint over REST (POST /jobs/:jobid/checkpoints), polls its trigger id until it completed,
// and prints Flink's lines.
import { Args, Flags } from '@oclif/core';
import type { RestClusterClient } from '../../runtime/client/RestClusterClient.js';
import type { CheckpointTriggerStatus, TriggerResponse } from '../../runtime/rest/messages/CheckpointTrigger.js';
import { CliError, ExitCode } from '../CliError.js';
import { RestCommand, restCommandFlags } from '../RestCommand.js';
import { resolveYarnSessionRestFlags } from '../remoteTarget.js';

/**
 * RestClusterClient has no checkpoint calls (yet); its request() gives the same errors as the
 * other verbs (unreachable cluster → exit 3, Flink's {"errors"} body in the message).
 */
/** The checkpoint was refused or failed: printed as one line (no stack: the reason is the server's), exit 1. */
class CheckpointFailed extends Error {}

function restRequest<T>(client: RestClusterClient, method: string, path: string, body?: object): Promise<T> {
  return client['request']<T>(method, path, body);
}

export default class Checkpoint extends RestCommand {
  static override summary = 'Trigger a checkpoint of a running job.';
  static override description = 'Prints "Triggering checkpoint for job <id>.", "Waiting for response..." and, once it completed, "Checkpoint <n> for job <id> completed." '
    + '("Checkpoint(FULL) <n> …" with --full; Flink\'s lines). Exit 0 when the checkpoint completed, 1 when it failed or the job takes no checkpoints. '
    + 'The job must be a STREAMING job with execution.checkpointing.interval set. The cluster: -m, rest.address, or with -t yarn-session (or -D yarn.application.id) the YARN session\'s JobManager.';
  static override usage = 'checkpoint [-m <host:port> | -t yarn-session [-D yarn.application.id=<appId>]] [--full] [-D <key=value>]... [--conf-dir <dir>] <jobId>';
  static override examples = ['<%= config.bin %> checkpoint -m localhost:8081 8c4f0d1e2b3a49d6a7f8e9c0b1a2d3e4', '<%= config.bin %> checkpoint --full -m localhost:8081 8c4f0d1e2b3a49d6a7f8e9c0b1a2d3e4'];
  static override args = { jobId: Args.string({ required: true, description: 'The job id (32 hexadecimal characters).' }) };
  static override flags = {
    ...restCommandFlags,
    full: Flags.boolean({ description: 'Take a full checkpoint (Flink\'s checkpointType FULL) instead of the configured kind.', default: false }),
    timeout: Flags.integer({ description: 'Seconds to wait for the checkpoint to complete.', default: 60, min: 1 }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(Checkpoint);
      const jobId = args.jobId.toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(jobId)) throw new CliError(`Invalid job id '${args.jobId}': a job id is 32 hexadecimal characters (see tsflink list).`, ExitCode.USAGE);
      const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
      const type = flags.full ? 'FULL' : 'CONFIGURED';
      process.stdout.write(`Triggering checkpoint for job ${jobId}.\n`);
      const checkpointId = await triggerAndWait(client, jobId, type, flags.timeout * 1000);
      process.stdout.write(`Checkpoint${type === 'CONFIGURED' ? '' : `(${type})`} ${checkpointId} for job ${jobId} completed.\n`);
      process.stdout.write('You can resume your program from this checkpoint with the run command.\n');
    } catch (e) {
      if (!(e instanceof CheckpointFailed)) this.fail(e);
      process.stderr.write(`Error: ${e.message}\n`);
      this.exit(ExitCode.JOB_FAILED);
    }
    this.exit(ExitCode.SUCCESS);
  }
}

async function triggerAndWait(client: RestClusterClient, jobId: string, checkpointType: 'FULL' | 'CONFIGURED', timeoutMs: number): Promise<number> {
  // Flink's CliFrontend: "Failed to trigger a checkpoint for the job <id>." with the cause.
  const failed = (why: string): CheckpointFailed => new CheckpointFailed(`Failed to trigger a checkpoint for the job ${jobId}: ${why}`);
  let triggerId: string;
  try {
    triggerId = (await restRequest<TriggerResponse>(client, 'POST', `/jobs/${jobId}/checkpoints`, { checkpointType }))['request-id'];
  } catch (e) {
    // The server's refusal (unknown job, checkpointing not enabled, job ended) is the message; no stack.
    if ((e as Error).name === 'RestClientException') throw failed((e as { errors: string[] }).errors.join(' '));
    throw e;
  }
  process.stdout.write('Waiting for response...\n');
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  for (;;) {
    const s = await restRequest<CheckpointTriggerStatus>(client, 'GET', `/jobs/${jobId}/checkpoints/${triggerId}`);
    if (s.status.id === 'COMPLETED' && 'operation' in s) {
      const op = s.operation;
      if ('checkpointId' in op) return op.checkpointId;
      const stack = op.failureCause['stack-trace'];
      throw failed(stack.split('\n')[0] ?? op.failureCause.class);
    }
    if (Date.now() > deadline) {
      throw failed(`it did not complete within ${timeoutMs / 1000} s (still in progress; poll GET /jobs/${jobId}/checkpoints/${triggerId}, or raise --timeout).`);
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(500, pause * 2);
  }
}
