import { readContainerCredentials } from './ipc/credentials.js';
import { ENV_CLUSTER_SECRET, SECRET_ALIAS } from './YarnConstants.js';

/** The cluster secret of a tsflink container: its credentials file, else $TSFLINK_CLUSTER_SECRET. */
export function readContainerSecret(env: NodeJS.ProcessEnv = process.env): string {
  if (env['HADOOP_TOKEN_FILE_LOCATION']) {
    const s = readContainerCredentials(env).secrets.get(SECRET_ALIAS);
    if (s) return Buffer.from(s).toString('utf8');
  }
  const fromEnv = env[ENV_CLUSTER_SECRET];
  if (fromEnv) return fromEnv;
  throw new Error(`No cluster secret: neither '${SECRET_ALIAS}' in the container credentials ($HADOOP_TOKEN_FILE_LOCATION=${env['HADOOP_TOKEN_FILE_LOCATION'] ?? 'unset'}) nor $${ENV_CLUSTER_SECRET}`);
}

/**
 * On YARN, io.tmp.dirs are the container's LOCAL_DIRS (as in Flink): the client's temp
 * directories mean nothing on the NodeManager hosts, and YARN cleans LOCAL_DIRS up.
 */
export function applyYarnLocalDirs(conf: { setString(key: string, value: string, source?: string): unknown }, env: NodeJS.ProcessEnv = process.env): void {
  const dirs = (env['LOCAL_DIRS'] ?? '').split(',').filter(Boolean);
  if (dirs.length) conf.setString('io.tmp.dirs', dirs.join(';'), 'YARN LOCAL_DIRS');
}
