// Errors of the CLI carry the process exit code. The codes are part of the CLI contract
// (docs/cli.md): scripts rely on them to tell a failed job from a typo on the command line.
import { Errors } from '@oclif/core';

export const ExitCode = {
  /** The job finished (or the command succeeded). */
  SUCCESS: 0,
  /** The job failed (its error and stack are printed). */
  JOB_FAILED: 1,
  /** Usage error or bad input: unknown flag, missing/invalid job file, bad configuration value. */
  USAGE: 2,
  /** The cluster (JobManager REST endpoint, YARN, HDFS) could not be reached. */
  CLUSTER_UNREACHABLE: 3,
  /** The job was cancelled. */
  CANCELLED: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Print the stack too (job failures), not just the message (input errors). */
  readonly showStack: boolean;
  constructor(message: string, exitCode: ExitCode = ExitCode.USAGE, options?: { cause?: unknown; showStack?: boolean }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.showStack = options?.showStack ?? false;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

function nameOf(e: unknown): string {
  return e instanceof Error ? e.name : typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
}

/**
 * Classifies an error for the exit code. Names are compared rather than classes because the
 * runtime may have been loaded as a different module instance than the CLI's imports.
 */
export function exitCodeFor(e: unknown): ExitCode {
  if (e instanceof CliError) return e.exitCode;
  const name = nameOf(e);
  if (name === 'ConfigurationError' || name === 'JobBundleError') return ExitCode.USAGE;
  if (/Cancel(l)?ation|Cancel(l)?edException|JobCancel/i.test(name)) return ExitCode.CANCELLED;
  // A connection failure may be wrapped (e.g. a submission error caused by ECONNREFUSED).
  for (let cur: unknown = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return ExitCode.CLUSTER_UNREACHABLE;
  }
  return ExitCode.JOB_FAILED;
}

/** Text printed to stderr: the message for input errors, the full stack (and causes) for job failures. */
export function formatError(e: unknown): string {
  const code = exitCodeFor(e);
  const withStack = code === ExitCode.JOB_FAILED || (e instanceof CliError && e.showStack);
  if (!(e instanceof Error)) return `Error: ${String(e)}`;
  if (!withStack) return `Error: ${e.message}`;
  const lines: string[] = [];
  let cur: unknown = e;
  let depth = 0;
  while (cur !== undefined && cur !== null && depth < 8) {
    const text = cur instanceof Error ? trimCliFrames(cur.stack ?? `${cur.name}: ${cur.message}`) : String(cur);
    lines.push(depth === 0 ? text : `Caused by: ${text}`);
    cur = cur instanceof Error ? cur.cause : undefined;
    depth++;
  }
  return lines.join('\n');
}

/** Drops stack frames of the CLI machinery (oclif, bin/run.js): they say nothing about the job. */
function trimCliFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => !/^\s+at .*(node_modules[/\\]@oclif[/\\]core|[/\\]cli[/\\]bin[/\\]run\.js|[/\\]dist[/\\]cli[/\\])/.test(l))
    .join('\n');
}

/**
 * How a command ends on an error: oclif's own exit passes through, its parse errors (unknown flag,
 * bad -p value) are usage errors, anything else is printed and exits with its code (exitCodeFor).
 */
export function failCommand(e: unknown, exit: (code: number) => never): never {
  if (e instanceof Errors.ExitError) throw e;
  if (e instanceof Errors.CLIError) {
    process.stderr.write(`Error: ${e.message}\n`);
    exit(ExitCode.USAGE);
  }
  process.stderr.write(`${formatError(e)}\n`);
  return exit(exitCodeFor(e));
}
