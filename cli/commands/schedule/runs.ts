// `tsflink schedule runs <name> [--json] [--details]`: the run history of a schedule.
import { Flags } from '@oclif/core';
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags, table } from '../../ScheduleCommand.js';
import type { RunSummary } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleRuns extends ScheduleCommand {
  static override summary = 'List the runs of a schedule, oldest interval first.';
  static override description = 'With --json: [{ "runId", "intervalStart", "intervalEnd", "state", "attempt", "jobId" }] (API.md); --details adds kind, times, error and attempts.';
  static override args = nameArg;
  static override flags = {
    ...scheduleFlags,
    json: Flags.boolean({ description: 'Print the runs as JSON.' }),
    details: Flags.boolean({ description: 'With --json: every field of each run (attempts, errors, times).' }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleRuns);
      const details = flags.details || !flags.json;
      const { runs } = await this.call<{ runs: Array<RunSummary & { error?: string | null; kind?: string; recordsRejected?: number | null }> }>(flags, 'GET', `/schedules/${enc(args.name)}/runs${details ? '?details=true' : ''}`);
      if (flags.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      else if (runs.length === 0) process.stdout.write(`No runs of '${args.name}' yet.\n`);
      else {
        process.stdout.write(table([['RUN ID', 'INTERVAL START', 'INTERVAL END', 'STATE', 'ATTEMPT', 'JOB ID', 'REJECTED', 'ERROR'],
          ...runs.map((r) => [r.runId, r.intervalStart, r.intervalEnd, r.state, String(r.attempt), r.jobId ?? '-', r.recordsRejected == null ? '-' : String(r.recordsRejected), (r.error ?? '').split('\n')[0]!.slice(0, 100)])]));
      }
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
