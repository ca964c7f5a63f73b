import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { FAILOVER_RESTARTS, runKillingOneTaskManager } from '../../testing/killOneTaskManager.js';
import { joinsExpected } from './fixtures/joins-job.js';

// A window coGroup, a keyed broadcast function and an interval join on a standalone cluster of real
// processes (JobManager on 127.0.0.2, TaskManagers on .3 and .4, a replacement on .13): a
// TaskManager is killed with SIGKILL mid-run, the job restarts from its latest checkpoint, and the
// exactly-once FileSink holds every window count and every joined pair exactly once.
const root = resolve(import.meta.dirname, '../../..');
const N = 6000;
let cluster: ClusterProcesses;

beforeAll(async () => { cluster = await ClusterProcesses.started('tsflink-joins-failover-', () => FAILOVER_RESTARTS); }, 60_000);

afterAll(() => cluster.dispose());

describe('joins and broadcast state recover on a cluster (real processes, kill -9)', () => {
  it('window coGroup, broadcast names and interval join: exact output after a TaskManager is killed', async () => {
    const lines = await runKillingOneTaskManager(cluster, join(root, 'runtime/operators/co/fixtures/joins-job.ts'),
      (out, chk) => [out, String(N), '1000', `file://${chk}`, '200']);
    const want = joinsExpected(N);
    expect(want.length).toBeGreaterThan(N);
    expect(lines.length).toBe(want.length);
    expect(lines.sort()).toEqual(want.sort());
  }, 240_000);
});
