// `tsflink run [flags] <job file> [job args…]`: bundles the job and runs its main() with the
// CLI's execution environment (an embedded MiniCluster unless configured otherwise).
import { JobCommand, jobFlags } from '../JobCommand.js';
import type { SubmittedJob } from '../../runtime/client/ProgramRunner.js';
import { Flags } from '@oclif/core';
import { ExitCode } from '../CliError.js';
import { applyClusterFlags, clusterFlags, resolveYarnSessionFlags } from '../remoteTarget.js';
import { standaloneRestToken } from '../restCredential.js';
import { BatchProgress, progressMode } from '../progress/BatchProgress.js';

export default class Run extends JobCommand {
  static override summary = 'Run a job.';
  static override description =
    'Bundles <job file> (TypeScript or JavaScript ES module whose default export is `async function main(args: string[])`) ' +
    'and runs it. Everything after the job file is passed to main() unchanged, including arguments that start with "-". ' +
    'Configuration precedence: defaults < config.yaml < -D < flags < code. Without a target the job runs on an embedded ' +
    'MiniCluster; with -m <host:port>, -t remote or rest.address it is submitted to that cluster over REST; ' +
    'with -t yarn-session (or -D yarn.application.id=<appId>) to the YARN session whose JobManager address YARN reports (the application id defaults to the ' +
    'one in the YARN properties file written by tsflink yarn-session) ' +
    '(print() output then goes to the TaskManagers\' stdout, as in Flink).';
  static override usage = 'run [-m <host:port> | -t yarn-session [-D yarn.application.id=<appId>]] [-t <target>] [-d] [-p <n>] [-D <key=value>]... [--conf-dir <dir>] <job file> [job args...]';
  static override examples = [
    '<%= config.bin %> run examples/wordcount.ts',
    '<%= config.bin %> run -p 4 -D execution.runtime-mode=BATCH job.ts --input data.txt --output out/',
    '<%= config.bin %> run -m localhost:8081 -d job.ts',
    '<%= config.bin %> run -t yarn-session -D yarn.application.id=application_1700000000000_0001 job.ts',
    '<%= config.bin %> run -s file:///tmp/savepoints/savepoint-1a2b3c-0123456789ab job.ts',
  ];
  static override args = {};
  static override flags = {
    ...jobFlags,
    ...clusterFlags,
    detached: Flags.boolean({
      char: 'd',
      description: 'Submit the job and return without waiting for it (execution.attached=false; with a remote cluster).',
    }),
    fromSavepoint: Flags.string({
      char: 's',
      description: 'Restore the job from this savepoint or retained checkpoint (sets execution.state-recovery.path).',
      helpValue: '<path>',
    }),
    allowNonRestoredState: Flags.boolean({
      char: 'n',
      description: 'Allow skipping savepoint state that cannot be mapped to the job (sets execution.state-recovery.ignore-unclaimed-state).',
    }),
    claimMode: Flags.string({
      description: 'Ownership of the -s snapshot: NO_CLAIM (default; never deleted) or CLAIM (the job owns it and deletes it once a newer checkpoint subsumes it). Sets execution.state-recovery.claim-mode.',
      options: ['CLAIM', 'NO_CLAIM'],
      helpValue: '<CLAIM|NO_CLAIM>',
    }),
    progress: Flags.string({
      description: 'Progress of attached BATCH jobs on stderr: auto (bars on a terminal, nothing otherwise), always (bars on a terminal, plain lines otherwise), never.',
      options: ['auto', 'always', 'never'],
      default: 'auto',
      helpValue: '<auto|always|never>',
    }),
  };

  protected readonly commandName = 'run';

  async run(): Promise<void> {
    try {
      const { flags, jobFile, jobArgs } = await this.parseJobArgv(Run.flags);
      const configuration = this.loadConfiguration(flags);
      if (flags.fromSavepoint !== undefined) configuration.setString('execution.state-recovery.path', flags.fromSavepoint, '--fromSavepoint');
      if (flags.allowNonRestoredState) configuration.setString('execution.state-recovery.ignore-unclaimed-state', 'true', '--allowNonRestoredState');
      if (flags.claimMode !== undefined) configuration.setString('execution.state-recovery.claim-mode', flags.claimMode, '--claimMode');
      const cluster: typeof flags & { restToken?: string | undefined } = await resolveYarnSessionFlags(configuration, flags);
      const restSource = applyClusterFlags(configuration, cluster);
      const restToken = cluster.restToken ?? standaloneRestToken(configuration, flags['work-dir']);
      if (flags.detached) configuration.setString('execution.attached', 'false', '--detached');
      const job = await this.prepareJob(jobFile, jobArgs, configuration);
      if (configuration.getString('execution.target') === 'yarn-application') {
        // Application mode: the job gets its own YARN application, exactly like `tsflink yarn-application`.
        const { deployApplicationCluster } = await import('../yarnApplication.js');
        const code = await deployApplicationCluster(configuration, job, flags.detached);
        await this.flushOutput();
        this.exit(code);
      }
      // Loaded lazily: the runtime (MiniCluster, worker threads) is only needed once input is valid.
      const { runProgram } = await import('../../runtime/client/ProgramRunner.js');
      const mode = progressMode(flags.progress, process.stderr);
      const shown: BatchProgress[] = [];
      const onJobSubmitted = mode === null ? undefined : (j: SubmittedJob): void => {
        if (j.runtimeMode !== 'BATCH') return;
        const p = new BatchProgress(j, mode, process.stderr);
        shown.push(p);
        p.start();
      };
      try {
        await runProgram({
          ...job, ...(restSource !== undefined ? { restSource } : {}), ...(restToken !== undefined ? { restToken } : {}),
          ...(onJobSubmitted ? { onJobSubmitted } : {}),
        });
      } finally {
        for (const p of shown) await p.stop();
      }
    } catch (e) {
      await this.flushOutput();
      this.fail(e);
    }
    await this.flushOutput();
    // Exit explicitly: a finished job must end the CLI even if a library left a timer or socket open.
    this.exit(ExitCode.SUCCESS);
  }
}
