// `tsflink schedule delete <name>`: removes the schedule and its history (running jobs are cancelled).
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';

export default class ScheduleDelete extends ScheduleCommand {
  static override summary = 'Delete a schedule and its run history; its running jobs are cancelled.';
  static override args = nameArg;
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleDelete);
      await this.call(flags, 'DELETE', `/schedules/${enc(args.name)}`);
      process.stdout.write(`Schedule '${args.name}' deleted.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
