// Splits `tsflink run [flags] <job file> [job args…]`: everything after the job file belongs to
// the job, untouched, even tokens that look like tsflink flags (`--input x`, `-p 3`, `--help`).
// Also used by bin/run.js before oclif sees the argv (oclif would treat a job's `--help` as its own).

export interface PassthroughSpec {
  /** Flags that take a value, without dashes: short letters and long names. */
  readonly shortWithValue: readonly string[];
  readonly longWithValue: readonly string[];
}

/** Commands whose first positional argument is a job file followed by the job's own arguments. */
export const JOB_FILE_COMMANDS: Readonly<Record<string, PassthroughSpec>> = {
  run: { shortWithValue: ['p', 'D', 's', 'm', 't'], longWithValue: ['parallelism', 'conf-dir', 'fromSavepoint', 'jobmanager', 'target', 'work-dir', 'claimMode', 'progress'] },
  info: { shortWithValue: ['p', 'D'], longWithValue: ['parallelism', 'conf-dir'] },
};

export interface SplitArgv {
  /** The tsflink flags before the job file. */
  readonly flags: string[];
  readonly jobFile?: string;
  readonly jobArgs: string[];
}

export function splitJobArgv(argv: readonly string[], spec: PassthroughSpec): SplitArgv {
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      const jobFile = argv[i + 1];
      return jobFile === undefined ? { flags, jobArgs: [] } : { flags, jobFile, jobArgs: argv.slice(i + 2) };
    }
    if (tok.startsWith('--')) {
      flags.push(tok);
      if (!tok.includes('=') && spec.longWithValue.includes(tok.slice(2)) && i + 1 < argv.length) flags.push(argv[++i]!);
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      flags.push(tok);
      // `-p 3` takes the next token; `-p3`, `-Dkey=value` carry their value.
      if (tok.length === 2 && spec.shortWithValue.includes(tok[1]!) && i + 1 < argv.length) flags.push(argv[++i]!);
      continue;
    }
    return { flags, jobFile: tok, jobArgs: argv.slice(i + 1) };
  }
  return { flags, jobArgs: [] };
}

/** Puts `--` before the job file so that nothing after it is read as a tsflink flag. */
export function protectJobArgs(argv: readonly string[]): string[] {
  const [command, ...rest] = argv;
  const spec = command === undefined ? undefined : JOB_FILE_COMMANDS[command];
  if (!spec) return [...argv];
  const split = splitJobArgv(rest, spec);
  if (split.jobFile === undefined) return [...argv];
  return [command!, ...split.flags, '--', split.jobFile, ...split.jobArgs];
}
