// `tsflink schedule create <file.yaml>`: validates the schedule here, bundles its job as
// `tsflink run` does, and declares it on the cluster (an existing name is updated, history kept).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args } from '@oclif/core';
import { CliError, ExitCode } from '../../CliError.js';
import { ScheduleCommand, scheduleFlags } from '../../ScheduleCommand.js';
import type { ScheduleStatus } from '../../../runtime/schedule/SchedulesService.js';

export default class ScheduleCreate extends ScheduleCommand {
  static override summary = 'Create (or update) a schedule from a YAML file.';
  static override description = 'The file format is in docs/scheduling.md. The job file is bundled here and shipped to the JobManager, which keeps it with the schedule.';
  static override examples = ['<%= config.bin %> schedule create -m localhost:8081 schedules/daily-wordcount.yaml'];
  static override args = { file: Args.string({ required: true, description: 'The schedule file (YAML).' }) };
  static override flags = scheduleFlags;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse(ScheduleCreate);
      const file = resolve(args.file);
      let text: string;
      try { text = readFileSync(file, 'utf8'); } catch (e) { throw new CliError(`Cannot read schedule file ${file}: ${(e as Error).message}`, ExitCode.USAGE); }
      const { parseScheduleYaml } = await import('../../../runtime/schedule/ScheduleSpec.js');
      let spec;
      try { spec = parseScheduleYaml(text, file); } catch (e) { throw new CliError((e as Error).message, ExitCode.USAGE); }
      const { bundleJob } = await import('../../../runtime/client/JobBundler.js');
      const { tsflinkRuntimeUrl } = await import('../../../runtime/usercode/JobBundle.js');
      const bundle = await bundleJob(spec.job);
      // The JobManager resolves a relative job path against `source` too, so it shows the same file.
      const res = await this.call<{ name: string; result: string; schedule: ScheduleStatus }>(flags, 'POST', '/schedules', {
        yaml: text, source: file,
        bundle: readFileSync(bundle.path).toString('base64'), tsflinkRuntime: tsflinkRuntimeUrl(),
      });
      process.stdout.write(`Schedule '${res.name}' ${res.result}. Next run: ${res.schedule.nextFireTime ?? 'none'}${res.schedule.paused ? ' (paused)' : ''}.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
