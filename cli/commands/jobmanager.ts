// `tsflink jobmanager`: the JobManager process of a standalone session cluster: Dispatcher,
// ResourceManager, control RPC for TaskManagers, and the REST API (Flink's paths and JSON).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterCommand, clusterFlags } from '../ClusterCommand.js';
import { ExitCode } from '../CliError.js';

export default class JobManager extends ClusterCommand {
  static override summary = 'Start a JobManager process (session cluster) in the foreground.';
  static override description = "Listens for TaskManagers on 'jobmanager.rpc.address':'jobmanager.rpc.port' (authenticated with the cluster secret) " +
    "and serves the REST API on 'rest.bind-address':'rest.port' (beyond localhost every request needs the bearer token in <work dir>/rest-token, which the CLI presents by itself; docs/deployment.md). Stops on SIGTERM.";
  static override flags = { ...clusterFlags };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(JobManager);
      const workDir = this.workDir(flags['work-dir']);
      const conf = this.conf(flags);
      const secret = this.secret(conf, workDir, true);
      const { StandaloneSessionClusterEntrypoint } = await import('../../runtime/entrypoint/StandaloneSessionClusterEntrypoint.js');
      const { RestServerEndpoint } = await import('../../runtime/rest/RestServerEndpoint.js');
      const { REST_TOKEN_FILE, restTokenOf } = await import('../../runtime/security/RestAuthentication.js');
      const token = restTokenOf(secret);
      // For curl and scripts: -H "Authorization: Bearer $(cat <work dir>/rest-token)".
      writeFileSync(join(workDir, REST_TOKEN_FILE), `${token}\n`, { mode: 0o600 });
      chmodSync(join(workDir, REST_TOKEN_FILE), 0o600);
      const jm = new StandaloneSessionClusterEntrypoint(conf, secret, join(workDir, 'jobmanager'));
      const { dispatcher, resourceManager, rpcAddress, metricRegistry } = await jm.start();
      const { startSchedulesService } = await import('../../runtime/schedule/SchedulesService.js');
      const { createLogger } = await import('../../runtime/entrypoint/ClusterLog.js');
      // The schedules service (docs/scheduling.md): cron-scheduled BATCH runs through this Dispatcher.
      const schedules = await startSchedulesService({ dispatcher, configuration: conf, workDir: join(workDir, 'jobmanager'), log: createLogger('Schedules'), bundler: bundleJobFile, metricRegistry });
      const rest = new RestServerEndpoint({ dispatcher, resourceManager, configuration: conf, uploadDir: join(workDir, 'jobmanager', 'uploads'), authentication: { token }, metricRegistry, ...(schedules ? { schedules } : {}) });
      const addr = await rest.start();
      process.stdout.write(`JobManager started (pid ${process.pid}): RPC ${rpcAddress.host}:${rpcAddress.port}, REST http://${addr.address}:${addr.port}\n`);
      await this.waitForSignal(async () => { await schedules?.stop(); await rest.close(); await jm.close(); });
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}

/** Bundles the job files of scheduler.schedules-dir schedules, as `tsflink run` would. */
async function bundleJobFile(file: string): Promise<{ code: Buffer; runtime: string }> {
  const { bundleJob } = await import('../../runtime/client/JobBundler.js');
  const { tsflinkRuntimeUrl } = await import('../../runtime/usercode/JobBundle.js');
  return { code: readFileSync((await bundleJob(file)).path), runtime: tsflinkRuntimeUrl() };
}
