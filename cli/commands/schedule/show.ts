// `tsflink schedule show <name> [--json]`: definition, state and counts of one schedule.
import { Flags } from '@oclif/core';
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';
import type { ScheduleStatus } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleShow extends ScheduleCommand {
  static override summary = 'Show one schedule: definition, next run, counts by state.';
  static override args = nameArg;
  static override flags = { ...scheduleFlags, json: Flags.boolean({ description: 'Print GET /schedules/:name as JSON.' }) };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleShow);
      const s = await this.call<ScheduleStatus & { spec: Record<string, unknown> }>(flags, 'GET', `/schedules/${enc(args.name)}`);
      if (flags.json) { process.stdout.write(`${JSON.stringify(s, null, 2)}\n`); }
      else {
        const counts = Object.entries(s.runs).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        process.stdout.write([
          `Schedule:     ${s.name} (${s.paused ? 'paused' : 'active'})`,
          `Job:          ${s.job} ${JSON.stringify(s.spec['args'] ?? [])}`,
          `Cron:         ${s.cron} in ${s.timezone}; catchup ${s.catchup}, concurrencyPolicy ${s.concurrencyPolicy}`,
          `Next run:     ${s.nextFireTime ?? 'none'}`,
          `Last run:     ${s.lastRun ? `${s.lastRun.runId} ${s.lastRun.state}` : '-'}`,
          `Last success: ${s.lastSuccessTime ?? '-'}`,
          `Runs:         ${counts}; missed intervals ${s.missedIntervals}`,
        ].join('\n') + '\n');
      }
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
