// The metric system: Flink's scopes and variables, user groups, meters, dumps; and the Prometheus
// reporter's text (ported from Flink's PrometheusReporterTest / PrometheusReporterTaskScopeTest),
// parsed with a Prometheus text-format parser.
import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { GaugeCounter, MetricRegistry, MeterView, SimpleCounter, TaskManagerMetricGroup, JobManagerMetricGroup } from './index.js';
import { reachableHost } from './MetricRegistry.js';
import { PrometheusReporter, parsePortRange, toPrometheusText } from './prometheus/PrometheusReporter.js';
import { startMetricReporters } from './MetricReporters.js';
import { createMetricFilter } from './MetricFilter.js';
import { Configuration } from '../configuration/index.js';

interface Family { name: string; help: string; type: string; metrics: Array<{ value?: string; labels?: Record<string, string>; quantiles?: Record<string, string>; count?: string }> }
const parse = (text: string): Family[] => parsePrometheusTextFormat(text) as Family[];

const task = (jobGroup: ReturnType<TaskManagerMetricGroup['addJob']>, subtaskIndex: number) => jobGroup.addTask({
  vertexId: 'a'.repeat(32), executionAttemptId: `attempt-${subtaskIndex}`, taskName: 'Map -> Sink: Discard', subtaskIndex, attemptNumber: 0,
});

describe('metric groups', () => {
  it('have Flink\'s logical scopes, variables and query scopes', () => {
    const r = new MetricRegistry();
    const tm = new TaskManagerMetricGroup(r, '127.0.0.3', 'tm-1');
    const t = task(tm.addJob('f'.repeat(32), 'my job'), 1);
    const op = t.getOrAddOperator('7', 'Map');
    op.counter('numRecordsIn').inc(3);
    expect(op.getLogicalScope()).toBe('taskmanager.job.task.operator');
    expect(op.getAllVariables()).toEqual({
      '<host>': '127.0.0.3', '<tm_id>': 'tm-1', '<job_id>': 'f'.repeat(32), '<job_name>': 'my job', '<task_id>': 'a'.repeat(32),
      '<task_name>': 'Map -> Sink: Discard', '<task_attempt_id>': 'attempt-1', '<task_attempt_num>': '0', '<subtask_index>': '1',
      '<operator_id>': '7', '<operator_name>': 'Map',
    });
    const [d] = r.dump();
    expect(d).toMatchObject({ info: { category: 'operator', jobId: 'f'.repeat(32), vertexId: 'a'.repeat(32), subtaskIndex: 1, operatorName: 'Map' }, scope: '', metrics: [{ name: 'numRecordsIn', type: 'counter', value: 3 }] });
    expect(new JobManagerMetricGroup(r, 'jm').addJob('j', 'n').getLogicalScope()).toBe('jobmanager.job');
  });

  it('addGroup(name) is a scope component; addGroup(key, value) adds the variable <key> and keeps the value out of the logical scope', () => {
    const r = new MetricRegistry();
    const tm = new TaskManagerMetricGroup(r, 'h', 'tm');
    const user = task(tm.addJob('j', 'n'), 0).getOrAddOperator('1', 'Map').addGroup('my').addGroup('region', 'eu-1');
    user.counter('hits').inc();
    expect(user.getLogicalScope()).toBe('taskmanager.job.task.operator.my.region');
    expect(user.getAllVariables()['<region>']).toBe('eu-1');
    const d = r.dump().find((x) => x.metrics.some((m) => m.name === 'hits'))!;
    expect(d.scope).toBe('my.region.eu-1');
    // The same group and counter come back; another type under the same name is an error that says so.
    expect(task(tm.addJob('j', 'n'), 0)).not.toBe(undefined);
    expect(user.counter('hits').getCount()).toBe(1);
    expect(() => user.histogram('hits')).toThrow(/already registered as a counter/);
    expect(() => user.addGroup('')).toThrow(/must not be empty/);
  });

  it('closing a task group unregisters it and its operators, and the job group closes with its last task', () => {
    const r = new MetricRegistry();
    const tm = new TaskManagerMetricGroup(r, 'h', 'tm');
    const job = tm.addJob('j', 'n');
    const t0 = task(job, 0), t1 = task(job, 1);
    t0.counter('a'); t1.counter('a'); t0.getOrAddOperator('1', 'Map').counter('b'); job.gauge('g', () => 1);
    expect(r.numberOfGroups).toBe(4);
    t0.close();
    expect(r.numberOfGroups).toBe(2);
    t1.close();
    expect(r.numberOfGroups).toBe(0);
    expect(job.isClosed).toBe(true);
    expect(tm.addJob('j', 'n')).not.toBe(job);
  });

  it('a system counter read from elsewhere (GaugeCounter) is the one user code gets under its name; inc/dec adjust it', () => {
    const r = new MetricRegistry();
    const g = new JobManagerMetricGroup(r, 'h');
    let source = 10;
    g.counter('numRecordsIn', new GaugeCounter(() => source));
    const c = g.counter('numRecordsIn');
    c.inc(2);
    source = 20;
    expect(c.getCount()).toBe(22);
    c.dec();
    expect(r.dump()[0]!.metrics).toEqual([{ name: 'numRecordsIn', type: 'counter', value: 21 }]);
  });

  it('a gauge that throws reads as null; non-numbers become strings', () => {
    const r = new MetricRegistry();
    const g = new JobManagerMetricGroup(r, 'h');
    g.gauge('bad', () => { throw new Error('x'); });
    g.gauge('obj', () => ({ toString: () => 'S' }));
    g.gauge('big', () => 5n);
    expect(r.dump()[0]!.metrics).toEqual([
      { name: 'bad', type: 'gauge', value: null }, { name: 'obj', type: 'gauge', value: 'S' }, { name: 'big', type: 'gauge', value: 5 },
    ]);
  });
});

describe('MeterView', () => {
  it('rates over the time span from 5 s samples, and over the meter\'s life while younger than the span', () => {
    let now = 0;
    const c = new SimpleCounter();
    const m = new MeterView(c, 60, () => now);
    now = 2000; c.inc(100);
    expect(m.getRate()).toBe(50); // young meter: 100 events in 2 s
    for (let i = 1; i <= 20; i++) { now = i * 5000; c.inc(500); m.update(); } // 100/s from here on
    now = 100_000;
    expect(m.getRate()).toBeCloseTo(100, 5);
  });
});

describe('metric filter (Flink\'s DefaultMetricFilter)', () => {
  it('includes <scope>:<names>:<types> with wildcards, excludes win, bad entries name the key', () => {
    const all = createMetricFilter(undefined, undefined, 'metrics.reporter.prom.');
    expect(all('taskmanager.job.task', 'numRecordsIn', 'counter')).toBe(true);
    const f = createMetricFilter('*.job.task.operator:numRecords*:counter,meter;jobmanager:*', '*:numRecordsOutPerSecond', 'metrics.reporter.prom.');
    expect(f('taskmanager.job.task.operator', 'numRecordsIn', 'counter')).toBe(true);
    expect(f('taskmanager.job.task.operator', 'numRecordsInPerSecond', 'meter')).toBe(true);
    expect(f('taskmanager.job.task.operator', 'numRecordsOutPerSecond', 'meter')).toBe(false); // excluded
    expect(f('taskmanager.job.task.operator', 'numRecordsIn', 'gauge')).toBe(false); // type not included
    expect(f('taskmanager.job.task', 'numRecordsIn', 'counter')).toBe(false); // scope not included
    expect(f('jobmanager', 'taskSlotsTotal', 'gauge')).toBe(true);
    expect(() => createMetricFilter('*:*:timer', undefined, 'metrics.reporter.prom.')).toThrow(/Invalid metrics.reporter.prom.filter.includes entry '\*:\*:timer': unknown metric type 'timer'/);
    expect(() => createMetricFilter('a:b:c:d', undefined, 'metrics.reporter.prom.')).toThrow(/expected <scope>\[:<name>/);
  });
});

describe('Prometheus reporter', () => {
  const opened: PrometheusReporter[] = [];
  afterEach(async () => { await Promise.all(opened.splice(0).map((r) => r.close())); });

  it('names families flink_<logical scope>_<name>, labels them with the scope variables, and maps Flink types', async () => {
    const r = new MetricRegistry();
    const tm = new TaskManagerMetricGroup(r, '127.0.0.3', 'tm-1');
    const job = tm.addJob('f'.repeat(32), 'my job');
    const op0 = task(job, 0).getOrAddOperator('7', 'Map');
    const op1 = task(job, 1).getOrAddOperator('7', 'Map');
    op0.counter('numRecordsIn').inc(5);
    op1.counter('numRecordsIn').inc(7);
    tm.gauge('flag', () => true);
    tm.gauge('text', () => 'not a number');
    const h = tm.histogram('latency');
    for (let i = 1; i <= 100; i++) h.update(i);
    tm.meter('rate', new MeterView(() => 0));
    const text = await toPrometheusText(r.dump());
    const families = parse(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    const recIn = byName.get('flink_taskmanager_job_task_operator_numRecordsIn')!;
    expect(recIn.type).toBe('GAUGE'); // Flink: counters may decrease, so gauges
    expect(recIn.help).toBe('numRecordsIn (scope: taskmanager_job_task_operator)');
    expect(recIn.metrics.map((m) => m.value)).toEqual(['5', '7']);
    expect(Object.keys(recIn.metrics[0]!.labels!).sort()).toEqual(['host', 'job_id', 'job_name', 'operator_id', 'operator_name', 'subtask_index', 'task_attempt_id', 'task_attempt_num', 'task_id', 'task_name', 'tm_id']);
    // Label values are filtered to [a-zA-Z0-9:_] (filterLabelValueCharacters, default true).
    expect(recIn.metrics[1]!.labels).toMatchObject({ task_name: 'Map____Sink:_Discard', subtask_index: '1', job_name: 'my_job', host: '127_0_0_3' });
    expect(byName.get('flink_taskmanager_flag')!.metrics[0]!.value).toBe('1');
    expect(byName.has('flink_taskmanager_text')).toBe(false);
    const lat = byName.get('flink_taskmanager_latency')!;
    expect(lat.type).toBe('SUMMARY');
    expect(Object.keys(lat.metrics[0]!.quantiles!)).toEqual(['0.5', '0.75', '0.95', '0.98', '0.99', '0.999']);
    // The parser folds labelled summaries into one quantile map and drops their _count: check that line in the text.
    expect(text).toMatch(/^flink_taskmanager_latency_count\{host="127_0_0_3",tm_id="tm_1"\} 100$/m);
    expect(text).not.toMatch(/flink_taskmanager_latency_sum/); // Flink reports no _sum
    expect(byName.get('flink_taskmanager_rate')!.type).toBe('GAUGE');
  });

  it('keeps one sample per subtask and drops a closed subtask\'s (PrometheusReporterTaskScopeTest)', async () => {
    const r = new MetricRegistry();
    const job = new TaskManagerMetricGroup(r, 'h', 'tm').addJob('j', 'job');
    const t0 = task(job, 0), t1 = task(job, 1);
    t0.counter('numRecordsIn').inc(1); t1.counter('numRecordsIn').inc(2);
    expect(parse(await toPrometheusText(r.dump()))[0]!.metrics).toHaveLength(2);
    t0.close();
    const f = parse(await toPrometheusText(r.dump()));
    expect(f[0]!.metrics).toEqual([expect.objectContaining({ value: '2', labels: expect.objectContaining({ subtask_index: '1' }) })]);
  });

  it('serves /metrics on the first free port of a range; a second reporter on the host takes the next one', async () => {
    const r = new MetricRegistry();
    new JobManagerMetricGroup(r, 'h').gauge('numRunningJobs', () => 3);
    const probe = new PrometheusReporter(() => r.collect(), { port: '0', host: '127.0.0.1', filterLabelValueCharacters: true, portKey: 'p' });
    opened.push(probe);
    const base = await probe.open();
    await probe.close();
    const range = `${base}-${base + 5}`;
    const a = new PrometheusReporter(() => r.collect(), { port: range, host: '127.0.0.1', filterLabelValueCharacters: true, portKey: 'metrics.reporter.prom.port' });
    const b = new PrometheusReporter(() => r.collect(), { port: range, host: '127.0.0.1', filterLabelValueCharacters: true, portKey: 'metrics.reporter.prom.port' });
    opened.push(a, b);
    const pa = await a.open(), pb = await b.open();
    expect(pa).toBe(base);
    expect(pb).toBeGreaterThan(pa);
    const res = await fetch(`http://127.0.0.1:${pb}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parse(await res.text())).toEqual([expect.objectContaining({ name: 'flink_jobmanager_numRunningJobs', metrics: [expect.objectContaining({ value: '3' })] })]);
    expect((await fetch(`http://127.0.0.1:${pb}/nope`)).status).toBe(404);
    const c = new PrometheusReporter(() => r.collect(), { port: `${pa},${pb}`, host: '127.0.0.1', filterLabelValueCharacters: true, portKey: 'metrics.reporter.prom.port' });
    await expect(c.open()).rejects.toThrow(/every port of metrics.reporter.prom.port='\d+,\d+' on 127.0.0.1 is in use.*9250-9260/);
  });

  it('scope.variables.excludes leaves variables out of the labels, scope.variables.additional adds labels to every series', async () => {
    const r = new MetricRegistry();
    const job = new TaskManagerMetricGroup(r, 'h', 'tm-1').addJob('j', 'job');
    task(job, 0).counter('numRecordsIn').inc(2);
    const started = await startMetricReporters(Configuration.fromMap({
      'metrics.reporter.prom.factory.class': 'prometheus', 'metrics.reporter.prom.port': '0',
      'metrics.reporter.prom.scope.variables.excludes': 'task_attempt_id;<tm_id>', 'metrics.reporter.prom.scope.variables.additional': 'cluster_name:prod, region:eu',
      'metrics.reporter.prom.filter.excludes': 'taskmanager:dropped',
    }), r, '127.0.0.1');
    new TaskManagerMetricGroup(r, 'h', 'tm-1').gauge('dropped', () => 1);
    try {
      const f = parse(await (await fetch(`http://127.0.0.1:${started[0]!.port}/metrics`)).text());
      expect(f.map((x) => x.name)).toEqual(['flink_taskmanager_job_task_numRecordsIn']); // filter.excludes left the gauge out
      const labels = f.find((x) => x.name === 'flink_taskmanager_job_task_numRecordsIn')!.metrics[0]!.labels!;
      expect(labels).toMatchObject({ cluster_name: 'prod', region: 'eu', task_attempt_num: '0' });
      expect(labels).not.toHaveProperty('task_attempt_id');
      expect(labels).not.toHaveProperty('tm_id');
    } finally { await Promise.all(started.map((x) => x.close())); }
    await expect(startMetricReporters(Configuration.fromMap({ 'metrics.reporter.prom.factory.class': 'prometheus', 'metrics.reporter.prom.port': '0', 'metrics.reporter.prom.scope.variables.additional': 'nocolon' }), r, '127.0.0.1'))
      .rejects.toThrow(/Invalid metrics.reporter.prom.scope.variables.additional 'nocolon': expected key:value pairs/);
  });

  it('reads its settings from metrics.reporter.<name>.*, with the factory class or the prometheus alias; bad ones fail naming the key', async () => {
    expect(parsePortRange('9250-9252,9260', 'k')).toEqual([9250, 9251, 9252, 9260]);
    expect(() => parsePortRange('9260-9250', 'metrics.reporter.prom.port')).toThrow(/Invalid metrics.reporter.prom.port '9260-9250'/);
    expect(() => parsePortRange('abc', 'k')).toThrow(/expected a port \(9249\), a range \(9250-9260\)/);
    const r = new MetricRegistry();
    const started = await startMetricReporters(Configuration.fromMap({
      'metrics.reporter.prom.factory.class': 'org.apache.flink.metrics.prometheus.PrometheusReporterFactory', 'metrics.reporter.prom.port': '0',
      'metrics.reporter.p2.factory.class': 'prometheus', 'metrics.reporter.p2.port': '0',
      'metrics.reporter.off.factory.class': 'prometheus', 'metrics.reporters': 'prom,p2',
    }), r, '127.0.0.1');
    try {
      expect(started.map((s) => s.name).sort()).toEqual(['p2', 'prom']);
      for (const s of started) expect((await fetch(`http://127.0.0.1:${s.port}/metrics`)).status).toBe(200);
      // The registry knows where its reporters serve (REST /jobmanager/metric-reporters, /taskmanagers).
      expect([...r.reporterEndpoints].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        [...started].sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ name: s.name, host: '127.0.0.1', port: s.port })));
    } finally { await Promise.all(started.map((s) => s.close())); }
    expect(r.reporterEndpoints).toEqual([]);
    expect([reachableHost('0.0.0.0', 'tm1.example'), reachableHost('::', 'tm1.example'), reachableHost('127.0.0.3', 'tm1.example')]).toEqual(['tm1.example', 'tm1.example', '127.0.0.3']);
    await expect(startMetricReporters(Configuration.fromMap({ 'metrics.reporter.jmx.factory.class': 'org.apache.flink.metrics.jmx.JMXReporterFactory' }), r, '127.0.0.1'))
      .rejects.toThrow(/Unknown metric reporter 'org.apache.flink.metrics.jmx.JMXReporterFactory' \(metrics.reporter.jmx.factory.class\)/);
  });
});
