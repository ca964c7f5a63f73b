// `tsflink list [-m host:port] [-r] [-s] [-a]`: the cluster's jobs, in Flink's format.
import { Flags } from '@oclif/core';
import { ExitCode } from '../CliError.js';
import { RestCommand, restCommandFlags } from '../RestCommand.js';
import { resolveYarnSessionRestFlags } from '../remoteTarget.js';
import type { JobDetails } from '../../runtime/rest/messages/MultipleJobsDetails.js';

const RULE = '--------------------------------------------------------------';

/** Flink's "dd.MM.yyyy HH:mm:ss" in local time. */
export function formatListTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export default class List extends RestCommand {
  static override summary = 'List the jobs of a running cluster.';
  static override description = 'Without -r/-s/-a, lists running and scheduled jobs (like Flink). Talks to the REST endpoint at -m, or rest.address:rest.port; with -t yarn-session (or -D yarn.application.id) to the YARN session\'s JobManager (application id default: the YARN properties file).';
  static override usage = 'list [-m <host:port> | -t yarn-session [-D yarn.application.id=<appId>]] [-r] [-s] [-a] [-D <key=value>]... [--conf-dir <dir>]';
  static override examples = ['<%= config.bin %> list -m localhost:8081', '<%= config.bin %> list -a'];
  static override flags = {
    ...restCommandFlags,
    running: Flags.boolean({ char: 'r', description: 'Show only running (and restarting) jobs.' }),
    scheduled: Flags.boolean({ char: 's', description: 'Show only scheduled jobs.' }),
    all: Flags.boolean({ char: 'a', description: 'Show all jobs, finished ones too.' }),
  };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(List);
      const { client } = await this.clusterClient(await resolveYarnSessionRestFlags(flags));
      const showAll = flags.all;
      const showRunning = flags.running || showAll || (!flags.scheduled && !flags.running);
      const showScheduled = flags.scheduled || showAll || (!flags.scheduled && !flags.running);
      process.stdout.write('Waiting for response...\n');
      const jobs = (await client.listJobs()).sort((a, b) => a['start-time'] - b['start-time']);
      // Like Flink: CREATED/INITIALIZING are scheduled; other non-terminal states are running.
      const scheduled = jobs.filter((j) => j.state === 'CREATED' || j.state === 'INITIALIZING');
      const terminated = jobs.filter((j) => j.state === 'FINISHED' || j.state === 'FAILED' || j.state === 'CANCELED');
      const running = jobs.filter((j) => !scheduled.includes(j) && !terminated.includes(j));
      const out: string[] = [];
      const section = (title: string, list: JobDetails[]) => {
        out.push(title, ...list.map((j) => `${formatListTime(j['start-time'])} : ${j.jid} : ${j.name} (${j.state})`), RULE);
      };
      if (showRunning) {
        if (running.length === 0) out.push('No running jobs.');
        else section('------------------ Running/Restarting Jobs -------------------', running);
      }
      if (showScheduled) {
        if (scheduled.length === 0) out.push('No scheduled jobs.');
        else section('----------------------- Scheduled Jobs -----------------------', scheduled);
      }
      if (showAll && terminated.length > 0) section('---------------------- Terminated Jobs -----------------------', terminated);
      process.stdout.write(`${out.join('\n')}\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}
