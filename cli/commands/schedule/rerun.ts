// `tsflink schedule rerun <name> <runId>`: queues a finished run again (same interval, next attempt number).
import { Args } from '@oclif/core';
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';
import type { RunSummary } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleRerun extends ScheduleCommand {
  static override summary = 'Run a finished run again (its partition is replaced).';
  static override args = { ...nameArg, runId: Args.string({ required: true, description: 'The run id (tsflink schedule runs <name>).' }) };
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleRerun);
      const r = await this.call<RunSummary>(flags, 'POST', `/schedules/${enc(args.name)}/runs/${enc(args.runId)}/rerun`);
      process.stdout.write(`Run ${r.runId} of '${args.name}' ${r.state} again (attempts so far: ${r.attempt}).\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
