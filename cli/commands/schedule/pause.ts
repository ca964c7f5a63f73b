// `tsflink schedule pause <name>`: PATCH /schedules/:name {"paused": true}.
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';

export default class SchedulePause extends ScheduleCommand {
  static override summary = 'Pause a schedule: no new runs until it is resumed (started runs go on).';
  static override args = nameArg;
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(SchedulePause);
      await this.call(flags, 'PATCH', `/schedules/${enc(args.name)}`, { paused: true });
      process.stdout.write(`Schedule '${args.name}' paused.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
