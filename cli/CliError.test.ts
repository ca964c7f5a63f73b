import { describe, expect, it } from 'vitest';
import { CliError, ExitCode, exitCodeFor, formatError } from './CliError.js';

describe('exit codes', () => {
  it('classifies errors', () => {
    const named = (name: string, extra: object = {}): Error => Object.assign(new Error('x'), { name }, extra);
    expect(exitCodeFor(new CliError('bad', ExitCode.USAGE))).toBe(2);
    expect(exitCodeFor(named('ConfigurationError'))).toBe(2);
    expect(exitCodeFor(named('JobBundleError'))).toBe(2);
    expect(exitCodeFor(named('JobCancellationException'))).toBe(4);
    expect(exitCodeFor(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(3);
    expect(exitCodeFor(new Error('submit failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }))).toBe(3);
    expect(exitCodeFor(new TypeError('user bug'))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
  });
  it('prints the stack and causes of job failures, only the message of input errors', () => {
    const cause = new Error('root cause');
    const jobError = new Error('job failed', { cause });
    const text = formatError(jobError);
    expect(text).toContain('Error: job failed\n    at ');
    expect(text).toContain('Caused by: Error: root cause');
    expect(formatError(new CliError('Missing job file.'))).toBe('Error: Missing job file.');
  });
});
