import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CheckpointingOptions,
  Configuration,
  ConfigurationError,
  CoreOptions,
  ExecutionOptions,
  PipelineOptions,
  RestartStrategyOptions,
  RestOptions,
  TaskManagerOptions,
  YarnConfigOptions,
  loadConfiguration,
  packageRoot,
  parseDuration,
  parseDynamicProperties,
  parseMemorySize,
  registeredOptions,
  formatDuration,
  formatMemorySize,
} from './index.js';

function confDirWith(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-conf-'));
  writeFileSync(join(dir, 'config.yaml'), yaml);
  return dir;
}

function catchError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return e as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseDuration', () => {
  it.each([
    ['10 s', 10_000], ['100ms', 100], ['1 min', 60_000], ['2h', 7_200_000], ['1d', 86_400_000],
    ['5 m', 300_000], ['0', 0], ['250', 250], ['1.5 s', 1500], ['3 seconds', 3000], ['500 us', 0.5],
  ] as const)('%s → %d ms', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it('accepts numbers as milliseconds', () => expect(parseDuration(5000)).toBe(5000));
  it.each(['abc', '10 parsecs', '-1 s', '', 's'])('rejects %j', (s) => expect(() => parseDuration(s)).toThrow(/invalid duration/));
  it('formats with the largest exact unit', () => {
    expect(formatDuration(10_000)).toBe('10 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(1500)).toBe('1500 ms');
    expect(formatDuration(0)).toBe('0 ms');
  });
});

describe('parseMemorySize', () => {
  it.each([
    ['1728m', 1728 * 1024 ** 2], ['1g', 1024 ** 3], ['512 mb', 512 * 1024 ** 2], ['64kb', 65536],
    ['32 kb', 32768], ['100', 100], ['2 bytes', 2], ['1 tb', 1024 ** 4], ['1 GB', 1024 ** 3],
  ] as const)('%s → %d bytes', (s, b) => expect(parseMemorySize(s)).toBe(b));
  it('accepts numbers as bytes', () => expect(parseMemorySize(4096)).toBe(4096));
  it.each(['1 xb', 'lots', '-5m'])('rejects %j', (s) => expect(() => parseMemorySize(s)).toThrow(/invalid memory size/));
  it('formats with the largest exact unit', () => {
    expect(formatMemorySize(32768)).toBe('32 kb');
    expect(formatMemorySize(1728 * 1024 ** 2)).toBe('1728 mb');
    expect(formatMemorySize(1000)).toBe('1000 bytes');
  });
});

describe('Configuration', () => {
  it('returns defaults when unset, and getOptional is undefined', () => {
    const c = new Configuration();
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(1);
    expect(c.getOptional(CoreOptions.DEFAULT_PARALLELISM)).toBeUndefined();
    expect(c.get(PipelineOptions.MAX_PARALLELISM)).toBe(128);
    expect(c.get(PipelineOptions.AUTO_WATERMARK_INTERVAL)).toBe(200);
    expect(c.get(ExecutionOptions.RUNTIME_MODE)).toBe('STREAMING');
    expect(c.get(ExecutionOptions.BUFFER_TIMEOUT)).toBe(100);
    expect(c.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT)).toBe(600_000);
    expect(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).toBeUndefined();
    expect(c.get(RestOptions.PORT)).toBe(8081);
    expect(c.get(RestOptions.BIND_ADDRESS)).toBe('127.0.0.1');
    expect(c.get(RestOptions.SERVER_MAX_CONTENT_LENGTH)).toBe(100 * 1024 * 1024);
    expect(c.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE)).toBe(32 * 1024);
    expect(c.get(TaskManagerOptions.NUM_TASK_SLOTS)).toBeGreaterThanOrEqual(1);
    expect(c.get(RestartStrategyOptions.EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER)).toBe(1.5);
    expect(c.get(YarnConfigOptions.APPLICATION_TYPE)).toBe('tsflink');
  });

  it('parses typed values from strings', () => {
    const c = new Configuration({ onWarning: () => {} })
      .setString('execution.checkpointing.interval', '10 s')
      .setString('execution.runtime-mode', 'batch')
      .setString('execution.checkpointing.unaligned.enabled', 'TRUE')
      .setString('yarn.tags', 'a;b; c')
      .setString('taskmanager.memory.process.size', '2g');
    expect(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).toBe(10_000);
    expect(c.get(ExecutionOptions.RUNTIME_MODE)).toBe('BATCH');
    expect(c.get(CheckpointingOptions.ENABLE_UNALIGNED)).toBe(true);
    expect(c.get(YarnConfigOptions.APPLICATION_TAGS)).toEqual(['a', 'b', 'c']);
    expect(c.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY)).toBe(2 * 1024 ** 3);
  });

  it('setAll accepts numbers, booleans, strings, arrays and nested objects', () => {
    const c = new Configuration().setAll({
      'parallelism.default': 4,
      'execution.checkpointing.unaligned.enabled': true,
      'execution.checkpointing.interval': 5000,
      'yarn.tags': ['x', 'y'],
      restart: undefined,
      'restart-strategy': { type: 'fixed-delay', 'fixed-delay': { attempts: 3, delay: '2 s' } },
    });
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(4);
    expect(c.get(CheckpointingOptions.ENABLE_UNALIGNED)).toBe(true);
    expect(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).toBe(5000);
    expect(c.get(YarnConfigOptions.APPLICATION_TAGS)).toEqual(['x', 'y']);
    expect(c.get(RestartStrategyOptions.FIXED_DELAY_ATTEMPTS)).toBe(3);
    expect(c.get(RestartStrategyOptions.FIXED_DELAY_DELAY)).toBe(2000);
    expect(c.getSource('parallelism.default')).toBe('code');
  });

  it('set() validates typed values too', () => {
    const c = new Configuration();
    c.set(CoreOptions.DEFAULT_PARALLELISM, 8);
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(8);
    const e = catchError(() => c.set(CoreOptions.DEFAULT_PARALLELISM, 0));
    expect(e.source).toBe('code');
    expect(e.message).toMatch(/parallelism\.default/);
  });

  it('bad values name key, value, source and what is allowed', () => {
    const c = new Configuration();
    let e = catchError(() => c.setString('parallelism.default', '-1', '/etc/tsflink/config.yaml'));
    expect(e.key).toBe('parallelism.default');
    expect(e.value).toBe('-1');
    expect(e.source).toBe('/etc/tsflink/config.yaml');
    expect(e.message).toContain("'-1'");
    expect(e.message).toContain('/etc/tsflink/config.yaml');
    expect(e.message).toContain('an integer >= 1');

    e = catchError(() => c.setString('execution.runtime-mode', 'FAST', '-D'));
    expect(e.message).toContain("'FAST'");
    expect(e.message).toContain('-D execution.runtime-mode=FAST');
    expect(e.message).toContain('STREAMING, BATCH, AUTOMATIC');

    e = catchError(() => c.setString('rest.port', 'abc', '-D'));
    expect(e.message).toMatch(/'abc'.*rest\.port.*integer between 0 and 65535/);

    e = catchError(() => c.setString('heartbeat.timeout', '10 parsecs', '-D'));
    expect(e.message).toContain('heartbeat.timeout');
    expect(e.message).toContain("unknown time unit 'parsecs'");

    e = catchError(() => c.setAll({ 'execution.checkpointing.unaligned.enabled': 'yes' }));
    expect(e.message).toContain('true or false');
    expect(e.message).toContain('set in code');

    e = catchError(() => c.setAll({ 'restart-strategy.exponential-delay.jitter-factor': 2 }));
    expect(e.message).toContain('between 0 and 1');
  });

  it('warns about unknown keys with a suggestion but keeps and ships them', () => {
    const warnings: string[] = [];
    const c = new Configuration({ onWarning: (m) => warnings.push(m) });
    c.setString('parallelism.defualt', '3', '/x/config.yaml');
    c.setString('totally.unrelated.thing', '1', '-D');
    c.setString('containerized.taskmanager.env.FOO', 'bar', '-D');
    expect(warnings[0]).toBe("WARN unknown configuration key 'parallelism.defualt' in /x/config.yaml — did you mean 'parallelism.default'?");
    expect(warnings[1]).toMatch(/^WARN unknown configuration key 'totally.unrelated.thing' in -D/);
    expect(warnings).toHaveLength(2);
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(1);
    expect(c.toMap()['parallelism.defualt']).toBe('3');
  });

  it('reads deprecated fallback keys under the new key, with a warning', () => {
    const warnings: string[] = [];
    const c = new Configuration({ onWarning: (m) => warnings.push(m) });
    c.setString('execution.buffer-timeout', '5 ms', '-D');
    c.setString('state.checkpoints.dir', 'file:///tmp/chk', '-D');
    expect(c.get(ExecutionOptions.BUFFER_TIMEOUT)).toBe(5);
    expect(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).toBe('file:///tmp/chk');
    expect(c.containsKey('execution.buffer-timeout.interval')).toBe(true);
    expect(c.containsKey('execution.buffer-timeout')).toBe(true);
    expect(c.toMap()).toHaveProperty(['execution.buffer-timeout.interval'], '5 ms');
    expect(warnings.join('\n')).toMatch(/deprecated configuration key 'execution.buffer-timeout' in -D — use 'execution.buffer-timeout.interval'/);
    // The new key wins over the old one within one source, in either order.
    const d = new Configuration({ onWarning: () => {} }).setAll({ 'execution.buffer-timeout.interval': '7 ms', 'execution.buffer-timeout': '9 ms' }, 'f');
    expect(d.get(ExecutionOptions.BUFFER_TIMEOUT)).toBe(7);
  });

  it('round-trips through toMap/fromMap and clone', () => {
    const c = new Configuration({ onWarning: () => {} }).setAll({
      'parallelism.default': 3,
      'execution.checkpointing.interval': '90 s',
      'taskmanager.memory.task.heap.size': '300m',
      'yarn.tags': 'a,b',
      'restart-strategy.exponential-delay.backoff-multiplier': 2.5,
      'execution.runtime-mode': 'batch',
      'some.custom.key': 'v',
    });
    const map = c.toMap();
    expect(map['execution.checkpointing.interval']).toBe('90 s');
    expect(map['taskmanager.memory.task.heap.size']).toBe('300 mb');
    expect(map['execution.runtime-mode']).toBe('BATCH');
    const d = Configuration.fromMap(map);
    expect(d.toMap()).toEqual(map);
    expect(d.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).toBe(90_000);
    expect(d.get(YarnConfigOptions.APPLICATION_TAGS)).toEqual(['a', 'b']);
    expect(d.get(RestartStrategyOptions.EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER)).toBe(2.5);
    const e = d.clone().setAll({ 'parallelism.default': 9 });
    expect(e.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(9);
    expect(d.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(3);
  });

  it('every registered default survives the canonical string form', () => {
    for (const o of registeredOptions()) {
      if (o.defaultValue === undefined) continue;
      const c = new Configuration();
      c.set(o, o.defaultValue);
      const back = Configuration.fromMap(c.toMap());
      expect(back.get(o), o.key).toEqual(o.defaultValue);
    }
  });

  it('resolves the restart strategy like Flink', () => {
    const c = new Configuration();
    expect(RestartStrategyOptions.resolveRestartStrategyType(c)).toBe('none');
    c.setString('execution.checkpointing.interval', '1 s');
    expect(RestartStrategyOptions.resolveRestartStrategyType(c)).toBe('exponential-delay');
    c.setString('restart-strategy.type', 'fixeddelay');
    expect(RestartStrategyOptions.resolveRestartStrategyType(c)).toBe('fixed-delay');
    c.setString('restart-strategy.type', 'disable');
    expect(RestartStrategyOptions.resolveRestartStrategyType(c)).toBe('none');
  });
});

describe('loadConfiguration', () => {
  it('precedence: defaults < file < -D < code', () => {
    const dir = confDirWith('parallelism.default: 2\nrest.port: 9000\nexecution.runtime-mode: BATCH\n');
    const c = loadConfiguration({ confDir: dir, dynamicProperties: { 'parallelism.default': '3', 'rest.port': '9001' } });
    expect(c.get(PipelineOptions.MAX_PARALLELISM)).toBe(128); // default
    expect(c.get(ExecutionOptions.RUNTIME_MODE)).toBe('BATCH'); // file
    expect(c.get(RestOptions.PORT)).toBe(9001); // -D over file
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(3);
    c.setAll({ 'parallelism.default': 5 }); // code over -D
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(5);
    expect(c.getSource('execution.runtime-mode')).toBe(join(dir, 'config.yaml'));
  });

  it('flattens nested YAML and accepts flat keys in the same file', () => {
    const dir = confDirWith([
      'parallelism:',
      '  default: 4',
      'execution:',
      '  checkpointing:',
      '    interval: 30 s',
      '    unaligned:',
      '      enabled: true',
      'restart-strategy.type: failure-rate',
      'restart-strategy:',
      '  failure-rate:',
      '    delay: 3 s',
      'yarn:',
      '  tags: [a, b]',
      'rest:',
      '  address:',
    ].join('\n'));
    const c = loadConfiguration({ confDir: dir, onWarning: (m) => { throw new Error(m); } });
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(4);
    expect(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).toBe(30_000);
    expect(c.get(CheckpointingOptions.ENABLE_UNALIGNED)).toBe(true);
    expect(c.get(RestartStrategyOptions.RESTART_STRATEGY)).toBe('failure-rate');
    expect(c.get(RestartStrategyOptions.FAILURE_RATE_DELAY)).toBe(3000);
    expect(c.get(YarnConfigOptions.APPLICATION_TAGS)).toEqual(['a', 'b']);
    expect(c.containsKey('rest.address')).toBe(false);
  });

  it('warns about unknown keys in the file with the file path', () => {
    const dir = confDirWith('taskmanager:\n  numberOfTaskSlot: 4\n');
    const warnings: string[] = [];
    loadConfiguration({ confDir: dir, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `WARN unknown configuration key 'taskmanager.numberOfTaskSlot' in ${join(dir, 'config.yaml')} — did you mean 'taskmanager.numberOfTaskSlots'?`,
    ]);
  });

  it('bad values in the file name the file', () => {
    const dir = confDirWith('execution:\n  runtime-mode: FAST\n');
    const e = catchError(() => loadConfiguration({ confDir: dir }));
    expect(e.key).toBe('execution.runtime-mode');
    expect(e.source).toBe(join(dir, 'config.yaml'));
    expect(e.message).toContain(join(dir, 'config.yaml'));
    expect(e.message).toContain('STREAMING, BATCH, AUTOMATIC');
  });

  it('reports YAML syntax errors with file:line', () => {
    const dir = confDirWith('parallelism:\n  default: 4\n bad: [\n');
    const e = catchError(() => loadConfiguration({ confDir: dir }));
    expect(e.message).toMatch(new RegExp(`${join(dir, 'config.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
  });

  it('a missing config.yaml means defaults only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-conf-'));
    const c = loadConfiguration({ confDir: dir });
    expect(c.keys()).toEqual([]);
  });

  it('resolves the conf dir from TSFLINK_CONF_DIR / FLINK_CONF_DIR', () => {
    const a = confDirWith('parallelism.default: 6\n');
    const b = confDirWith('parallelism.default: 7\n');
    const old = { t: process.env['TSFLINK_CONF_DIR'], f: process.env['FLINK_CONF_DIR'] };
    try {
      process.env['FLINK_CONF_DIR'] = b;
      expect(loadConfiguration().get(CoreOptions.DEFAULT_PARALLELISM)).toBe(7);
      process.env['TSFLINK_CONF_DIR'] = a;
      expect(loadConfiguration().get(CoreOptions.DEFAULT_PARALLELISM)).toBe(6);
    } finally {
      if (old.t === undefined) delete process.env['TSFLINK_CONF_DIR']; else process.env['TSFLINK_CONF_DIR'] = old.t;
      if (old.f === undefined) delete process.env['FLINK_CONF_DIR']; else process.env['FLINK_CONF_DIR'] = old.f;
    }
  });

  it('the shipped conf/config.yaml loads without warnings', () => {
    const warnings: string[] = [];
    const c = loadConfiguration({ confDir: join(packageRoot(), 'conf'), onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(c.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(1);
    expect(c.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY)).toBe(1728 * 1024 * 1024);
    expect(c.get(RestOptions.PORT)).toBe(8081);
  });

  it('parses -D key=value arguments', () => {
    expect(parseDynamicProperties(['a.b=1', 'c=x=y', 'd='])).toEqual({ 'a.b': '1', c: 'x=y', d: '' });
    expect(() => parseDynamicProperties(['novalue'])).toThrow(/expected -D key=value/);
  });
});
