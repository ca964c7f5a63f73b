// `tsflink yarn-session`: starts a tsflink session cluster on YARN (Flink's yarn-session.sh).
// The ApplicationMaster runs the JobManager with its REST endpoint; TaskManager containers are
// started when submitted jobs need slots and returned when idle. Submit with
// `tsflink run -t yarn-session job.ts` (address from YARN's report, REST token from the staging dir).
import { Command, Flags } from '@oclif/core';
import { CliError, ExitCode, failCommand } from '../CliError.js';
import { deployOnYarn, openYarnClusterDescriptor } from '../yarnDescriptor.js';
import { loadConfiguration, parseDynamicProperties } from '../../runtime/configuration/loadConfiguration.js';
import { applyYarnFlags, yarnFlags } from './yarn-application.js';

const TWO_LETTER: Record<string, string> = { '-jm': '--jobManagerMemory', '-tm': '--taskManagerMemory', '-nm': '--name', '-qu': '--queue', '-id': '--applicationId' };

export default class YarnSession extends Command {
  static override summary = 'Start (or stop) a tsflink session cluster on YARN.';
  static override description =
    'Submits a YARN application whose ApplicationMaster runs the JobManager (REST endpoint, Dispatcher, ResourceManager); TaskManager containers are started on demand ' +
    'for submitted jobs and returned after resourcemanager.taskmanager-timeout of idleness. Prints "JobManager Web Interface: http://host:port" and writes the application id ' +
    "to the properties file (<yarn.properties-file.location or the OS temp dir>/.yarn-properties-<user>). Attached (default): runs until Ctrl+C (which stops the session) " +
    'or the application ends. -d: returns once the session runs. --stop [-id <applicationId>]: stops a session (default: the one in the properties file).';
  static override usage = 'yarn-session [-d] [-D <key=value>]... [-jm <size>] [-tm <size>] [-s <slots>] [-nm <name>] [-qu <queue>] | yarn-session --stop [-id <applicationId>]';
  static override examples = ['<%= config.bin %> yarn-session -d -tm 1g -s 2', '<%= config.bin %> yarn-session --stop'];
  static override strict = true;
  static override flags = {
    dynamic: Flags.string({ char: 'D', multiple: true, multipleNonGreedy: true, description: 'Set a configuration value (repeatable).', helpValue: '<key=value>' }),
    'conf-dir': Flags.string({ description: 'Directory containing config.yaml.', helpValue: '<dir>' }),
    ...yarnFlags,
    detached: Flags.boolean({ char: 'd', description: 'Return once the session runs.' }),
    stop: Flags.boolean({ description: 'Stop a running session (kills its YARN application).' }),
    applicationId: Flags.string({ description: 'Session to stop (-id); default: the properties file.', helpValue: '<applicationId>' }),
  };

  async run(): Promise<void> {
    let code: number = ExitCode.SUCCESS;
    try {
      const { flags } = await this.parse({ flags: YarnSession.flags, strict: true, args: {} }, this.argv.map((a) => TWO_LETTER[a] ?? a));
      const conf = loadConfiguration({ ...(flags['conf-dir'] ? { confDir: flags['conf-dir'] } : {}), dynamicProperties: parseDynamicProperties(flags.dynamic ?? []) });
      applyYarnFlags(conf, flags);
      const { YarnClusterDescriptor } = await import('../../yarn-am/YarnClusterDescriptor.js');
      const { yarnPropertiesFile, writeYarnPropertiesFile, readYarnPropertiesFile, deleteYarnPropertiesFile } = await import('../../yarn-am/YarnSession.js');
      const { parseApplicationId } = await import('../../yarn-am/protocols/records.js');
      const { YarnConfigOptions } = await import('../../runtime/configuration/index.js');
      const propsFile = yarnPropertiesFile(conf.getOptional(YarnConfigOptions.PROPERTIES_FILE_LOCATION));
      const descriptor = await openYarnClusterDescriptor();
      const say = (m: string): void => { process.stdout.write(`${m}\n`); };
      try {
        if (flags.stop) {
          const id = flags.applicationId ?? readYarnPropertiesFile(propsFile);
          if (!id) throw new CliError(`No session to stop: give -id <applicationId> (no properties file at ${propsFile}).`, ExitCode.USAGE);
          const report = await descriptor.yarn.killApplication(parseApplicationId(id), { diagnostics: 'stopped by tsflink yarn-session --stop' });
          await descriptor.deleteStagingDir(await YarnClusterDescriptor.stagingDirFor(id, conf));
          deleteYarnPropertiesFile(propsFile, id);
          say(`Session ${id} stopped (state ${report.state})`);
          return;
        }
        const d = await deployOnYarn(descriptor, { mode: 'session', configuration: conf, log: say });
        if (d.report.state !== 'RUNNING') {
          process.stderr.write(`YARN diagnostics of ${d.applicationIdString}:\n${d.report.diagnostics || '(none)'}\n`);
          throw new CliError(`The session ${d.applicationIdString} ended before it ran: ${d.report.state} / ${d.report.finalStatus}`, ExitCode.JOB_FAILED);
        }
        writeYarnPropertiesFile(propsFile, d.applicationIdString, parseDynamicProperties(flags.dynamic ?? []));
        say(`Session ${d.applicationIdString} is RUNNING (${d.secondsToRunning.toFixed(1)} s after submission); properties file ${propsFile}`);
        say(`JobManager Web Interface: ${d.webUrl}`);
        if (flags.detached) {
          say(`Detached. Submit jobs with: tsflink run -t yarn-session <job file> (or -D yarn.application.id=${d.applicationIdString}); stop with: tsflink yarn-session --stop -id ${d.applicationIdString}`);
          return;
        }
        say('Attached: press Ctrl+C to stop the session.');
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          say(`Stopping session ${d.applicationIdString}`);
          void descriptor.yarn.killApplication(d.applicationId, { diagnostics: 'stopped by tsflink yarn-session (Ctrl+C)' }).catch(() => undefined);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const report = await descriptor.waitForFinalState(d.applicationId);
        await descriptor.deleteStagingDir(d.stagingDir);
        deleteYarnPropertiesFile(propsFile, d.applicationIdString);
        say(`Session ${d.applicationIdString} ended: state ${report.state}, final status ${report.finalStatus}`);
        if (!stopping && report.finalStatus !== 'SUCCEEDED') {
          process.stderr.write(`YARN diagnostics of ${d.applicationIdString}:\n${report.diagnostics || '(none)'}\n`);
          code = report.finalStatus === 'KILLED' ? ExitCode.CANCELLED : ExitCode.JOB_FAILED;
        }
      } finally {
        descriptor.close();
      }
    } catch (e) {
      failCommand(e, (c) => this.exit(c));
    }
    this.exit(code);
  }
}
