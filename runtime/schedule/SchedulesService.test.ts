import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../configuration/index.js';
import { inlineSchedules, schedulesStorageDir } from './SchedulesService.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('schedules declared in config.yaml', () => {
  it('reads scheduler.schedules (a list of schedules) without an unknown-key warning; jobs resolve against the file; a bad entry names its index', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-inline-'));
    writeFileSync(join(dir, 'config.yaml'), [
      'scheduler:', '  storage-dir: hdfs:///tsflink/schedules', '  schedules:',
      '    - name: hourly-clicks', '      job: jobs/clicks.ts', '      cron: "@hourly"', '      args: ["{{ds}}"]',
      '    - name: broken', '      job: jobs/b.ts', '      cron: "0 2 * *"', '',
    ].join('\n'));
    const warnings: string[] = [];
    const conf = loadConfiguration({ confDir: dir, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    const [ok, bad] = inlineSchedules(conf);
    expect(ok!()).toMatchObject({ name: 'hourly-clicks', job: join(dir, 'jobs', 'clicks.ts'), cron: '@hourly', args: ['{{ds}}'] });
    expect(() => bad!()).toThrow(new RegExp(`${join(dir, 'config.yaml').replace(/[/.]/g, '\\$&')}: scheduler\\.schedules\\[1\\]: 'cron': '0 2 \\* \\*' has 4 fields`));
    expect(schedulesStorageDir(conf, '/work')).toBe('hdfs:///tsflink/schedules');
  });

  it('a -D value is JSON; anything else is an error saying what is expected', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-inline-'));
    const conf = loadConfiguration({ confDir: dir, dynamicProperties: { 'scheduler.schedules': '[{"name":"a","job":"/j.ts","cron":"@daily"}]' } });
    expect(inlineSchedules(conf).map((f) => f().name)).toEqual(['a']);
    const bad = loadConfiguration({ confDir: dir, dynamicProperties: { 'scheduler.schedules': 'a,b' } });
    expect(() => inlineSchedules(bad)).toThrow(/'scheduler\.schedules' must be a list of schedules/);
    expect(inlineSchedules(loadConfiguration({ confDir: dir }))).toEqual([]);
    expect(schedulesStorageDir(loadConfiguration({ confDir: dir }), '/work')).toBe('/work/schedules');
  });
});
