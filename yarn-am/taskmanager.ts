/**
 * Entry of a TaskManager container (Flink's YarnTaskExecutorRunner), compiled to dist/yarn-am/taskmanager.js:
 *
 *   node <tsflink>/dist/yarn-am/taskmanager.js -D jobmanager.rpc.address=… -D jobmanager.rpc.port=… … 1><LOG_DIR>/taskmanager.out 2><LOG_DIR>/taskmanager.err
 *
 * Configuration: the shipped config.yaml in the working directory, overridden by the -D arguments
 * the ApplicationMaster puts on the command line. The cluster secret comes from the container's
 * credentials ($HADOOP_TOKEN_FILE_LOCATION), not from the environment.
 */
import { join } from 'node:path';
import { applyYarnLocalDirs, readContainerSecret } from './containerEnv.js';
import { CONTAINER_WORK_DIR } from './YarnConstants.js';
import { loadConfiguration, parseDynamicProperties } from '../runtime/configuration/loadConfiguration.js';
import { TaskManagerRunner } from '../runtime/entrypoint/TaskManagerRunner.js';
import { createLogger } from '../runtime/entrypoint/ClusterLog.js';

const log = createLogger('YarnTaskExecutorRunner');

function dynamicArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-D' && i + 1 < argv.length) out.push(argv[++i]!);
    else if (a.startsWith('-D')) out.push(a.slice(2));
    else throw new Error(`unexpected argument '${a}' (expected -D key=value)`);
  }
  return out;
}

async function main(): Promise<void> {
  const cwd = process.cwd();
  const conf = loadConfiguration({ confDir: cwd, dynamicProperties: parseDynamicProperties(dynamicArgs(process.argv.slice(2))) });
  applyYarnLocalDirs(conf);
  const secret = readContainerSecret();
  const tm = new TaskManagerRunner(conf, secret, join(cwd, CONTAINER_WORK_DIR, 'taskmanager', String(process.pid)));
  await tm.start();
  log('INFO', `TaskManager ${tm.taskManagerId} started with ${tm.numSlots} slot(s) in container ${process.env['CONTAINER_ID'] ?? '?'} (pid ${process.pid})`);
  const stop = (sig: string): void => {
    log('INFO', `Received ${sig}, shutting down`);
    void tm.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`tsflink TaskManager failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
