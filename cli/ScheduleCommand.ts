// Base of `tsflink schedule …`: the cluster's REST client, /schedules requests, and the
// server's 400/404 answers as usage errors (exit 2) naming what was wrong.
import { Args } from '@oclif/core';
import { CliError, ExitCode } from './CliError.js';
import { RestCommand, restCommandFlags } from './RestCommand.js';
import { resolveYarnSessionRestFlags } from './remoteTarget.js';

export const scheduleFlags = restCommandFlags;
export const nameArg = { name: Args.string({ required: true, description: 'The schedule name.' }) };

type Flags = Parameters<RestCommand['clusterClient']>[0] & Parameters<typeof resolveYarnSessionRestFlags>[0];

export abstract class ScheduleCommand extends RestCommand {
  protected async call<T>(flags: Flags, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object): Promise<T> {
    const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
    try {
      return await client.requestJson<T>(method, path, body);
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      const errors = (e as { errors?: unknown }).errors;
      if ((status === 400 || status === 404) && Array.isArray(errors)) throw new CliError(errors.join('\n'), ExitCode.USAGE);
      if (status === 404) throw new CliError(`The cluster at ${client.baseUrl} serves no schedules (scheduler.enabled=false, or not a session cluster).`, ExitCode.USAGE);
      throw e;
    }
  }
}

export const enc = encodeURIComponent;

/** Fixed-width columns for tables. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** `schedule pause` and `schedule resume`: PATCH /schedules/:name {"paused": …}. */
export abstract class SetPausedCommand extends ScheduleCommand {
  static override args = nameArg;
  static override flags = scheduleFlags;
  protected abstract readonly paused: boolean;

  async run(): Promise<void> {
    try {
      const { args, flags } = await this.parse({ args: nameArg, flags: scheduleFlags });
      await this.call(flags, 'PATCH', `/schedules/${enc(args.name)}`, { paused: this.paused });
      process.stdout.write(`Schedule '${args.name}' ${this.paused ? 'paused' : 'resumed'}.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
