// `tsflink schedule list [--json]`: the cluster's schedules with their next fire times.
import { Flags } from '@oclif/core';
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, scheduleFlags, table } from '../../ScheduleCommand.js';
import type { ScheduleStatus } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleList extends ScheduleCommand {
  static override summary = 'List the schedules of a session cluster.';
  static override flags = { ...scheduleFlags, json: Flags.boolean({ description: 'Print the REST answer (GET /schedules) as JSON.' }) };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(ScheduleList);
      const { schedules } = await this.call<{ schedules: ScheduleStatus[] }>(flags, 'GET', '/schedules');
      if (flags.json) process.stdout.write(`${JSON.stringify(schedules, null, 2)}\n`);
      else if (schedules.length === 0) process.stdout.write('No schedules.\n');
      else {
        process.stdout.write(table([['NAME', 'CRON', 'TIMEZONE', 'STATUS', 'NEXT RUN', 'ACTIVE', 'LAST RUN'],
          ...schedules.map((s) => [s.name, s.cron, s.timezone, s.paused ? 'paused' : 'active', s.nextFireTime ?? '-', String(s.activeRuns), s.lastRun ? `${s.lastRun.runId} ${s.lastRun.state}` : '-'])]));
      }
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
