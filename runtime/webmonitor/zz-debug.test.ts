import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../testing/ClusterProcesses.js';
const fixture = (f: string): string => resolve(import.meta.dirname, 'fixtures', f);
it('debug', async () => {
  const c = new ClusterProcesses(mkdtempSync(join(tmpdir(), 'dbg-')));
  try {
    await c.startJobManager(['-D', 'metrics.fetcher.update-interval=500 ms', '-D', 'restart-strategy.type=none']);
    c.startTaskManager('127.0.0.3', 3); c.startTaskManager('127.0.0.4', 3);
    await c.waitForTaskManagers(2);
    const run = async (f: string, args: string[], p = 1) => { const x = c.cli(['run', '-m', c.restAddress, '-d', '-p', String(p), fixture(f), ...args]); await x.exited; return /JobID ([0-9a-f]{32})/.exec(x.stdout())![1]!; };
    const bp = await run('backpressured-job.ts', ['5'], 2);
    const ck = await run('checkpointing-job.ts', [`file://${c.workDir}/ck`, '300']);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      const job = await c.get<any>(`/jobs/${bp}`);
      for (const v of job.vertices) {
        const m = await c.get<any>(`/jobs/${bp}/vertices/${v.id}/subtasks/metrics?get=backPressuredTimeMsPerSecond,busyTimeMsPerSecond,idleTimeMsPerSecond,numRecordsOut&agg=max`);
        console.log(i, v.name, v.status, JSON.stringify(m), JSON.stringify(v.metrics));
      }
    }
    const st = await c.get<any>(`/jobs/${ck}/checkpoints`);
    const id = st.history.find((h: any) => h.status === 'COMPLETED').id;
    console.log('history tasks', JSON.stringify(st.history[0].tasks));
    const d = await c.get<any>(`/jobs/${ck}/checkpoints/details/${id}`);
    console.log('details', JSON.stringify(d).slice(0, 800));
    const t0 = Date.now();
    const token = (await import('node:fs')).readFileSync(join(c.workDir, 'rest-token'), 'utf8').trim();
    const r = await fetch(`http://${c.restAddress}/jobs/${bp}?mode=cancel`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } });
    console.log('cancel', r.status, await r.text());
    for (let i = 0; i < 20; i++) { await new Promise((r) => setTimeout(r, 1000)); const s = (await c.get<any>(`/jobs/${bp}`)).state; console.log('state', s, Date.now() - t0); if (s === 'CANCELED') break; }
  } finally { console.log(c.dumpLogs().slice(-3000)); await c.dispose(); }
}, 120_000);
