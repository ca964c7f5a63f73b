/**
 * Session-cluster helpers shared by `tsflink yarn-session` and clients that submit to a session
 * (`tsflink run -t yarn-session` can resolve the JobManager with `resolveSessionRestAddress`).
 *
 * The properties file is Flink's `.yarn-properties-<user>`: `applicationID=application_…` in
 * `yarn.properties-file.location` (default: the OS temp dir).
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { YarnClient } from './protocols/YarnClient.js';
import { parseApplicationId, type ApplicationReport } from './protocols/records.js';

export function yarnPropertiesFile(location?: string, user: string = userInfo().username): string {
  return join(location ?? tmpdir(), `.yarn-properties-${user}`);
}

export function writeYarnPropertiesFile(file: string, applicationId: string, dynamicProperties: Record<string, string> = {}): void {
  const dyn = Object.entries(dynamicProperties).map(([k, v]) => `${k}=${v}`).join('@@');
  const text = `#Generated YARN properties file (tsflink yarn-session)\n#${new Date().toString()}\napplicationID=${applicationId}\ndynamicPropertiesString=${dyn.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
  const dir = join(file, '..');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(file, text, { mode: 0o644 });
}

/** The application id of the properties file, or undefined if there is none. */
export function readYarnPropertiesFile(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^applicationID=(\S+)\s*$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

export function deleteYarnPropertiesFile(file: string, applicationId?: string): void {
  if (!existsSync(file)) return;
  // Another session may have replaced it meanwhile: only remove our own.
  if (applicationId !== undefined && readYarnPropertiesFile(file) !== applicationId) return;
  try { unlinkSync(file); } catch { /* already gone */ }
}

/** The REST endpoint of a running tsflink session (the AM registers host and REST port). */
export async function resolveSessionRestAddress(yarn: YarnClient, applicationId: string): Promise<{ host: string; port: number; report: ApplicationReport }> {
  const report = await yarn.getApplicationReport(parseApplicationId(applicationId));
  if (report.state !== 'RUNNING') {
    throw new Error(`The YARN application ${applicationId} is ${report.state}, not RUNNING${report.diagnostics ? ` (diagnostics: ${report.diagnostics})` : ''}.`);
  }
  if (!report.host || report.rpcPort <= 0) throw new Error(`The YARN application ${applicationId} has not published a JobManager REST address.`);
  return { host: report.host, port: report.rpcPort, report };
}
