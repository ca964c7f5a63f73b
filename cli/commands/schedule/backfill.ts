// `tsflink schedule backfill <name> --from <date> --to <date> [--reprocess none|failed|all] [--backwards]`.
import { Flags } from '@oclif/core';
import { ExitCode } from '../../CliError.js';
import { ScheduleCommand, enc, nameArg, scheduleFlags } from '../../ScheduleCommand.js';
import type { RunSummary } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleBackfill extends ScheduleCommand {
  static override summary = 'Queue runs for every past interval whose start lies in [--from, --to].';
  static override description = "Dates are in the schedule's time zone (2026-01-01, 2026-01-01T02:00) or absolute (2026-01-01T00:00:00Z). Intervals that already have a run are left alone unless --reprocess failed (FAILED, SKIPPED, TIMED_OUT) or all.";
  static override examples = ['<%= config.bin %> schedule backfill daily-wordcount --from 2026-01-01 --to 2026-01-05'];
  static override args = nameArg;
  static override flags = {
    ...scheduleFlags,
    from: Flags.string({ required: true, description: 'First interval start (inclusive).' }),
    to: Flags.string({ required: true, description: 'Last interval start (inclusive).' }),
    reprocess: Flags.string({ options: ['none', 'failed', 'all'], default: 'none', description: 'Which intervals that already have a run to run again.' }),
    backwards: Flags.boolean({ description: 'Run the newest interval first.' }),
  };

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleBackfill);
      const { runs } = await this.call<{ runs: RunSummary[] }>(flags, 'POST', `/schedules/${enc(args.name)}/backfill`, { from: flags.from, to: flags.to, reprocess: flags.reprocess, backwards: flags.backwards });
      process.stdout.write(`Backfill of '${args.name}': ${runs.length} run(s) queued${runs.length ? `: ${runs.map((r) => r.runId).join(', ')}` : ''}.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
