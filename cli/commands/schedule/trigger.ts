// `tsflink schedule trigger <name>`: a manual run now, for the latest complete interval.
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';
import type { RunSummary } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleTrigger extends ScheduleCommand {
  static override summary = 'Start a manual run now (for the latest complete interval).';
  static override args = nameArg;
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleTrigger);
      const r = await this.call<RunSummary>(flags, 'POST', `/schedules/${enc(args.name)}/trigger`);
      process.stdout.write(`Run ${r.runId} of '${args.name}' ${r.state} for [${r.intervalStart}, ${r.intervalEnd}).\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
