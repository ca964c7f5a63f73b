/** Flink-style log lines for the cluster processes (stdout/stderr go to log/ files or container logs). */
export function createLogger(component: string): (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void {
  return (level, msg) => {
    const line = `${new Date().toISOString().replace('T', ' ').replace('Z', '')} ${level.padEnd(5)} ${component} - ${msg}\n`;
    (level === 'INFO' ? process.stdout : process.stderr).write(line);
  };
}
