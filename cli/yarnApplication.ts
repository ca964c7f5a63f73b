// Deploys a job in its own YARN application (application mode) and follows it: shared by
// `tsflink yarn-application` and `tsflink run -t yarn-application`.
import { ExitCode } from './CliError.js';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import type { PreparedJob } from './JobCommand.js';
import { deployOnYarn, openYarnClusterDescriptor } from './yarnDescriptor.js';

/** Returns the exit code: 0 SUCCEEDED (or detached and running), 1 FAILED, 4 KILLED. */
export async function deployApplicationCluster(configuration: Configuration, job: PreparedJob, detached: boolean | undefined): Promise<number> {
  let code: number = ExitCode.SUCCESS;
  const descriptor = await openYarnClusterDescriptor();
  try {
    const say = (m: string): void => { process.stdout.write(`${m}\n`); };
    const d = await deployOnYarn(descriptor, { mode: 'application', configuration, job: { bundle: job.bundle, args: job.args }, log: say });
    say(`Application ${d.applicationIdString} is ${d.report.state} (${d.secondsToRunning.toFixed(1)} s after submission)`);
    if (d.webUrl) say(`JobManager Web Interface: ${d.webUrl}`);
    let report = d.report;
    if (detached && report.state === 'RUNNING') {
      // -t yarn-application + the id: the CLI finds the REST address in YARN's report and the token in the staging directory.
      const target = `-t yarn-application -D yarn.application.id=${d.applicationIdString}`;
      say(`Detached. Follow it with the web interface (through YARN's proxy), or: tsflink list ${target}; cancel with: tsflink cancel ${target} <jobId>`);
    } else {
      if (report.state === 'RUNNING') report = await descriptor.waitForFinalState(d.applicationId);
      say(`Application ${d.applicationIdString} finished: state ${report.state}, final status ${report.finalStatus}`);
      if (report.finalStatus === 'SUCCEEDED') code = ExitCode.SUCCESS;
      else {
        // A killed AM (or one that died) may not have cleaned up after itself.
        await descriptor.deleteStagingDir(d.stagingDir);
        process.stderr.write(`YARN diagnostics of ${d.applicationIdString}:\n${report.diagnostics || '(none)'}\n`);
        code = report.finalStatus === 'KILLED' ? ExitCode.CANCELLED : ExitCode.JOB_FAILED;
      }
    }
  } finally {
    descriptor.close();
  }
  return code;
}
