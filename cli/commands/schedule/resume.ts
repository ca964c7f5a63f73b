// `tsflink schedule resume <name>`: PATCH /schedules/:name {"paused": false}.
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';

export default class ScheduleResume extends ScheduleCommand {
  static override summary = 'Resume a paused schedule (missed intervals follow its catchup policy).';
  static override args = nameArg;
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleResume);
      await this.call(flags, 'PATCH', `/schedules/${enc(args.name)}`, { paused: false });
      process.stdout.write(`Schedule '${args.name}' resumed.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
