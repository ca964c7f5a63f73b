import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunHistoryStore } from './RunHistoryStore.js';
import type { ScheduleRun } from './ScheduleRun.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-history-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (id: string, state: ScheduleRun['state'], start: number): ScheduleRun => ({ runId: id, schedule: 'etl', kind: 'scheduled', intervalStart: start, intervalEnd: start + 1, state, attempt: 1, createdAt: start, attempts: [] });

describe('RunHistoryStore on local disk', () => {
  it('replaces a record through <f>.tmp + rename; a crash between leaves a whole .tmp that wins, a torn .tmp that loses', async () => {
    const store = new RunHistoryStore(join(dir, 'h'));
    await store.saveRun(run('a', 'RUNNING', 1));
    await store.saveRun(run('a', 'SUCCEEDED', 1));
    await store.saveRun(run('b', 'QUEUED', 2));
    const runs = join(dir, 'h', 'etl', 'runs');
    expect(readdirSync(runs).sort()).toEqual(['a.json', 'b.json']);
    expect((await store.listRuns('etl')).map((r) => [r.runId, r.state])).toEqual([['a', 'SUCCEEDED'], ['b', 'QUEUED']]);
    // Crash after the new bytes were written and the old record deleted: only the .tmp is there.
    writeFileSync(join(runs, 'b.json.tmp'), JSON.stringify(run('b', 'RUNNING', 2)));
    rmSync(join(runs, 'b.json'));
    // Crash while writing the .tmp: torn JSON next to the old record.
    writeFileSync(join(runs, 'a.json.tmp'), '{"runId": "a", "sta');
    expect((await store.listRuns('etl')).map((r) => [r.runId, r.state])).toEqual([['a', 'SUCCEEDED'], ['b', 'RUNNING']]);
    await store.deleteRun('etl', 'a');
    expect(existsSync(join(runs, 'a.json'))).toBe(false);
    expect(existsSync(join(runs, 'a.json.tmp'))).toBe(false);
    expect((await store.listRuns('etl')).map((r) => r.runId)).toEqual(['b']);
    expect(await store.listRuns('nope')).toEqual([]);
  });
});
