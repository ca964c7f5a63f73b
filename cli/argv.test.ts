import { describe, expect, it } from 'vitest';
import { JOB_FILE_COMMANDS, protectJobArgs, splitJobArgv } from './argv.js';

const run = JOB_FILE_COMMANDS['run']!;

describe('splitJobArgv', () => {
  it('stops at the job file; everything after belongs to the job', () => {
    expect(splitJobArgv(['-p', '3', '-D', 'a=1', '-Db=2', '--conf-dir', 'c', 'job.ts', '--input', 'x', '-p', '9', '--help'], run)).toEqual({
      flags: ['-p', '3', '-D', 'a=1', '-Db=2', '--conf-dir', 'c'],
      jobFile: 'job.ts',
      jobArgs: ['--input', 'x', '-p', '9', '--help'],
    });
  });
  it('accepts --flag=value, boolean flags and an explicit --', () => {
    expect(splitJobArgv(['--parallelism=2', '-n', '--', '-weird.ts', 'a'], run)).toEqual({ flags: ['--parallelism=2', '-n'], jobFile: '-weird.ts', jobArgs: ['a'] });
  });
  it('reports no job file', () => {
    expect(splitJobArgv(['-p', '2'], run)).toEqual({ flags: ['-p', '2'], jobArgs: [] });
  });
});

describe('protectJobArgs', () => {
  it('inserts -- before the job file of run/info only', () => {
    expect(protectJobArgs(['run', '-p', '2', 'job.ts', '--help'])).toEqual(['run', '-p', '2', '--', 'job.ts', '--help']);
    expect(protectJobArgs(['info', 'job.ts'])).toEqual(['info', '--', 'job.ts']);
    expect(protectJobArgs(['run', '--help'])).toEqual(['run', '--help']);
    expect(protectJobArgs(['list', 'x', '--help'])).toEqual(['list', 'x', '--help']);
  });
});
