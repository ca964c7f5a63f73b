import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanStaleLevelDBDirs } from './StateBackendLoader.js';

describe('cleanStaleLevelDBDirs (TaskManager start)', () => {
  it('removes LevelDB directories of processes that no longer run, and keeps live ones and anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-stale-leveldb-'));
    try {
      // A process that has ended: its pid is free now.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout.trim();
      const stale = join(dir, `tsflink-leveldb-p${dead}-job-op_3_0_abc`);
      const mine = join(dir, `tsflink-leveldb-p${process.pid}-job-op_3_1_def`);
      const other = join(dir, 'tsflink-netty-shuffle-xyz');
      for (const d of [stale, mine, other]) { mkdirSync(d); writeFileSync(join(d, 'CURRENT'), 'x'); }
      expect(cleanStaleLevelDBDirs([dir, join(dir, 'missing')])).toEqual([stale]);
      expect([existsSync(stale), existsSync(mine), existsSync(other)]).toEqual([false, true, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
