import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseScheduleYaml } from '../runtime/schedule/ScheduleSpec.js';

// examples/scheduled-etl.ts through `tsflink run` (what a scheduled run executes), and the schedule
// file that declares it.
const root = resolve(import.meta.dirname, '..');
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-sched-ex-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/scheduled-etl.ts', () => {
  it('sums orders per customer; a line that is not JSON goes to the rejects dir with file, line and reason', () => {
    const input = join(dir, 'orders', 'dt=2026-11-02');
    mkdirSync(input, { recursive: true });
    const expected = new Map<string, [number, number]>();
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const o = { id: i, customer: `c-${i % 11}`, amount: (i % 40) + 0.5 };
      const e = expected.get(o.customer) ?? [0, 0];
      expected.set(o.customer, [e[0] + 1, e[1] + o.amount]);
      lines.push(JSON.stringify(o));
    }
    lines.splice(1234, 0, 'this is not json');
    writeFileSync(join(input, 'part-0.jsonl'), `${lines.join('\n')}\n`);
    const out = join(dir, 'out');
    const rejects = join(dir, 'rejects');
    const r = spawnSync(process.execPath, [join(root, 'cli/bin/run.js'), 'run', '-p', '2', 'examples/scheduled-etl.ts', input, out, rejects], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = new Map(readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => { const [c, n, s] = l.split(','); return [c!, [Number(n), Number(s)]] as [string, [number, number]]; }));
    expect(got).toEqual(new Map([...expected].map(([c, [n, s]]) => [c, [n, Number(s.toFixed(2))]])));
    const rejected = readdirSync(rejects).flatMap((f) => readFileSync(join(rejects, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ file: join(input, 'part-0.jsonl'), line: 1235, text: 'this is not json' });
    expect(rejected[0]!['reason']).toMatch(/invalid JSON/);
  });

  it('schedules/daily-orders.yaml is a valid schedule for it', () => {
    const file = join(root, 'schedules', 'daily-orders.yaml');
    const spec = parseScheduleYaml(readFileSync(file, 'utf8'), file);
    expect(spec).toMatchObject({ name: 'daily-orders', job: join(root, 'examples', 'scheduled-etl.ts'), timezone: 'Europe/Berlin', catchup: 'all', output: { path: 'hdfs:///warehouse/revenue/dt={{ds}}', successFile: '_SUCCESS' } });
  });
});
