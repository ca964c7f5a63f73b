// Where the CLI finds the REST bearer token of a cluster (docs/deployment.md), so that users
// never type it: the cluster secret it is derived from, or the token file next to it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Configuration } from '../runtime/configuration/Configuration.js';
import { SecurityOptions } from '../runtime/configuration/index.js';
import { REST_TOKEN_FILE, restTokenOf } from '../runtime/security/RestAuthentication.js';

/** The work dir a command uses: --work-dir, else $TSFLINK_WORK_DIR, else ./.tsflink (as tsflink jobmanager). */
export function cliWorkDir(flag: string | undefined): string {
  return resolve(flag ?? (process.env['TSFLINK_WORK_DIR'] || '.tsflink'));
}

/**
 * The token of a standalone cluster: from $TSFLINK_CLUSTER_SECRET, security.cluster.secret, or the
 * work dir's cluster-secret / rest-token file. Undefined when none is found (a loopback-only
 * cluster needs none; another answers 401 saying where the token is looked for).
 */
export function standaloneRestToken(conf: Configuration, workDirFlag: string | undefined): string | undefined {
  const env = process.env['TSFLINK_CLUSTER_SECRET'];
  if (env) return restTokenOf(env);
  const fromConf = conf.getOptional(SecurityOptions.CLUSTER_SECRET);
  if (fromConf) return restTokenOf(fromConf);
  const dir = cliWorkDir(workDirFlag);
  const secretFile = join(dir, 'cluster-secret');
  if (existsSync(secretFile)) return restTokenOf(readFileSync(secretFile, 'utf8').trim());
  const tokenFile = join(dir, REST_TOKEN_FILE);
  if (existsSync(tokenFile)) return readFileSync(tokenFile, 'utf8').trim();
  return undefined;
}
