// Argument handling of `tsflink yarn-application` (the command lives in cli/commands).
import { describe, expect, it } from 'vitest';
import { mapTwoLetterFlags, memoryFlag } from '../cli/commands/yarn-application.js';

const SPEC = { shortWithValue: ['p', 'D', 's'], longWithValue: ['parallelism', 'conf-dir', 'jobManagerMemory', 'taskManagerMemory', 'slots', 'name', 'queue'] };

describe('yarn-application arguments', () => {
  it("maps Flink's -jm/-tm/-nm/-qu before the job file only", () => {
    expect(mapTwoLetterFlags(['-jm', '1g', '-p', '2', '-qu', 'etl', '-d', 'job.ts', '-tm', '-qu', 'x'], SPEC)).toEqual([
      '--jobManagerMemory', '1g', '-p', '2', '--queue', 'etl', '-d', 'job.ts', '-tm', '-qu', 'x',
    ]);
    expect(mapTwoLetterFlags(['-nm', 'my app', '-Dk=v', '--', 'job.ts', '-nm'], SPEC)).toEqual(['--name', 'my app', '-Dk=v', '--', 'job.ts', '-nm']);
    expect(mapTwoLetterFlags(['--queue', '-jm', 'job.ts'], SPEC)).toEqual(['--queue', '-jm', 'job.ts']); // a value is never rewritten
  });

  it('memory sizes without a unit are MB', () => {
    expect(memoryFlag('1024')).toBe('1024m');
    expect(memoryFlag(' 2g ')).toBe('2g');
    expect(memoryFlag('512 mb')).toBe('512 mb');
  });
});
