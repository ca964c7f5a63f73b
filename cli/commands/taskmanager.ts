// `tsflink taskmanager`: a TaskManager process (worker-thread slots) that registers with the JobManager.
import { join } from 'node:path';
import { ClusterCommand, clusterFlags } from '../ClusterCommand.js';
import { ExitCode } from '../CliError.js';

export default class TaskManager extends ClusterCommand {
  static override summary = 'Start a TaskManager process in the foreground.';
  static override description = "Connects to the JobManager at 'jobmanager.rpc.address':'jobmanager.rpc.port' with the cluster secret, registers its slots ('taskmanager.numberOfTaskSlots') and runs tasks until stopped (SIGTERM).";
  static override flags = { ...clusterFlags };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(TaskManager);
      const workDir = this.workDir(flags['work-dir']);
      const conf = this.conf(flags);
      const secret = this.secret(conf, workDir, false);
      const { TaskManagerRunner } = await import('../../runtime/entrypoint/TaskManagerRunner.js');
      const tm = new TaskManagerRunner(conf, secret, join(workDir, 'taskmanager', String(process.pid)));
      await tm.start();
      process.stdout.write(`TaskManager ${tm.taskManagerId} started with ${tm.numSlots} slot(s) (pid ${process.pid})\n`);
      await this.waitForSignal(() => tm.stop());
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
