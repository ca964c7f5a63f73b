// The REST server's logger: fastify's own logger stays off (it is verbose JSON); the server reports
// start, stop and server-side errors through this small interface.

export interface RestLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export const consoleRestLogger: RestLogger = {
  info: (m) => process.stderr.write(`${new Date().toISOString()} INFO  RestServerEndpoint ${m}\n`),
  warn: (m) => process.stderr.write(`${new Date().toISOString()} WARN  RestServerEndpoint ${m}\n`),
  error: (m, e) => process.stderr.write(`${new Date().toISOString()} ERROR RestServerEndpoint ${m}${e instanceof Error ? `\n${e.stack ?? e.message}` : e !== undefined ? ` ${String(e)}` : ''}\n`),
};

export const silentRestLogger: RestLogger = { info: () => {}, warn: () => {}, error: () => {} };
