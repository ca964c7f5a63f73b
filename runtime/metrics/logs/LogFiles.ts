// A process's log files, as REST serves them (Flink's /jobmanager/logs, /taskmanagers/:id/log…):
// the directory comes from env.log.dir, $TSFLINK_LOG_DIR or YARN's container log dir; the main
// log and stdout are the process's own files in it ($TSFLINK_LOG_FILE, <role>.log / .out / .err).
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { getActiveResourcesInfo } from 'node:process';

/** One entry of Flink's LogListInfo. */
export interface LogInfo { readonly name: string; readonly size: number; readonly mtime: number }
/** Flink's ThreadDumpInfo. */
export interface ThreadDumpInfo { readonly threadInfos: ReadonlyArray<{ readonly threadName: string; readonly stringifiedThreadInfo: string }> }

export interface LogLocation {
  /** Directory listed by /logs; undefined = the process keeps no log files (logs go to its console). */
  readonly dir: string | undefined;
  /** The main log (/log) and stdout (/stdout) file names in dir. */
  readonly logFile: string | undefined;
  readonly stdoutFile: string | undefined;
}

/**
 * Where this process's logs are. `role` is 'jobmanager' or 'taskmanager' (YARN writes
 * <role>.out / <role>.err, `tsflink cluster start` sets TSFLINK_LOG_FILE per process).
 */
export async function resolveLogLocation(role: 'jobmanager' | 'taskmanager', configuredDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<LogLocation> {
  const file = env['TSFLINK_LOG_FILE'];
  if (file) return { dir: dirname(file), logFile: basename(file), stdoutFile: basename(file) };
  const dir = configuredDir ?? env['TSFLINK_LOG_DIR'] ?? env['LOG_DIRS']?.split(',')[0];
  if (!dir) return { dir: undefined, logFile: undefined, stdoutFile: undefined };
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  const first = (...c: string[]): string | undefined => c.find((n) => names.has(n)) ?? c[0];
  // Our logger writes INFO to stdout and WARN/ERROR to stderr: on YARN the .out file is the fuller log.
  return { dir, logFile: first(`${role}.log`, `${role}.out`, `${role}.err`), stdoutFile: first(`${role}.out`, `${role}.log`) };
}

export class LogFileException extends Error {
  constructor(readonly status: 404 | 400, message: string) { super(message); this.name = 'LogFileException'; }
}

export async function listLogs(loc: LogLocation): Promise<LogInfo[]> {
  if (!loc.dir) return [];
  const out: LogInfo[] = [];
  for (const name of (await readdir(loc.dir).catch(() => [] as string[])).sort()) {
    const s = await stat(join(loc.dir, name)).catch(() => null);
    if (s?.isFile()) out.push({ name, size: s.size, mtime: Math.round(s.mtimeMs) });
  }
  return out;
}

/** The last `maxBytes` of a log file ('log' and 'stdout' name the main ones). */
export async function readLog(loc: LogLocation, name: string, maxBytes: number): Promise<string> {
  if (!loc.dir) throw new LogFileException(404, 'This process keeps no log files (it logs to its console). Start it with env.log.dir or TSFLINK_LOG_DIR set, or through `tsflink cluster start` or YARN.');
  const file = name === 'log' ? loc.logFile : name === 'stdout' ? loc.stdoutFile : name;
  if (!file || file.includes('/') || file.includes('\\') || file === '.' || file === '..' || file.includes('\0')) {
    throw new LogFileException(400, `Illegal log file name '${name}': expected a plain file name from the log list.`);
  }
  const path = join(loc.dir, file);
  let fh;
  try { fh = await open(path, 'r'); } catch {
    throw new LogFileException(404, `Log file '${file}' does not exist in ${loc.dir} (GET …/logs lists the files there).`);
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally { await fh.close(); }
}

/** The main thread's state: event loop delay figures and what keeps it alive (Node cannot sample another thread's stack). */
export function mainThreadInfo(extra: string[] = []): { threadName: string; stringifiedThreadInfo: string } {
  const mu = process.memoryUsage();
  const resources = new Map<string, number>();
  for (const r of getActiveResourcesInfo()) resources.set(r, (resources.get(r) ?? 0) + 1);
  const lines = [
    `"main" event loop, pid ${process.pid}, uptime ${Math.round(process.uptime())} s`,
    `  heap ${mu.heapUsed} / ${mu.heapTotal} bytes, rss ${mu.rss} bytes`,
    `  active resources: ${[...resources].map(([k, n]) => `${k}×${n}`).join(', ') || 'none'}`,
    ...extra.map((l) => `  ${l}`),
  ];
  return { threadName: 'main', stringifiedThreadInfo: `${lines.join('\n')}\n` };
}
