// CPU time per thread of this process while a job runs (Linux /proc/self/task/<tid>/stat), for B10: on a
// loaded machine wall-clock scaling says little (the other agents take the cores), but the busiest slot
// thread's CPU time is the job's critical path on free cores. Slot threads end with the job, so their
// counters are sampled while it runs (every 50 ms: cheap next to two busy slots, at most the last 50 ms of a
// thread lost) and the last sample of each thread is kept.
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

function sample(into: Map<string, number>): void {
  let tids: string[];
  try { tids = readdirSync('/proc/self/task'); } catch { return; }
  for (const tid of tids) {
    try {
      const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      into.set(tid, (Number(f[11]) + Number(f[12])) * CLOCK_TICK_MS);
    } catch { /* the thread ended */ }
  }
}

/** Runs `fn`; returns its result and the CPU ms of the busiest threads during it, most first (empty off Linux). */
export async function withThreadCpu<T>(fn: () => Promise<T>, everyMs = 50): Promise<{ result: T; threadsMs: number[] }> {
  const before = new Map<string, number>();
  sample(before);
  const last = new Map<string, number>();
  const timer = setInterval(() => sample(last), everyMs);
  try {
    const result = await fn();
    sample(last);
    const threadsMs = [...last].map(([tid, ms]) => ms - (before.get(tid) ?? 0)).filter((ms) => ms > 0).sort((a, b) => b - a);
    return { result, threadsMs };
  } finally {
    clearInterval(timer);
  }
}
