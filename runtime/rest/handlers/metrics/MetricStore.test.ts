// Flink's MetricStoreTest, for tsflink's dumps: where each scope's metrics are filed, the ids the
// REST handlers serve, histograms as their statistics, and attempts replacing one another.
import { describe, expect, it } from 'vitest';
import { MetricStore } from './MetricStore.js';
import type { MetricGroupDump, QueryScopeInfo } from '../../../metrics/dump/MetricDump.js';

const dump = (info: QueryScopeInfo, metrics: MetricGroupDump['metrics'], scope = ''): MetricGroupDump => ({ info, scope, logicalScope: 'x', variables: {}, metrics });
const JOB = 'j'.repeat(32), V = 'v'.repeat(32);
const task = (subtaskIndex: number, attemptNumber = 0): QueryScopeInfo => ({ category: 'task', jobId: JOB, vertexId: V, subtaskIndex, attemptNumber });
const op = (subtaskIndex: number, operatorName: string, attemptNumber = 0): QueryScopeInfo => ({ category: 'operator', jobId: JOB, vertexId: V, subtaskIndex, attemptNumber, operatorName });

describe('MetricStore', () => {
  it('files JobManager, TaskManager, job, task and operator metrics under Flink\'s ids', () => {
    const s = new MetricStore();
    s.addJobManagerDump([dump({ category: 'jm' }, [{ name: 'numRunningJobs', type: 'gauge', value: 1 }]), dump({ category: 'job', jobId: JOB }, [{ name: 'numRestarts', type: 'gauge', value: 2 }])]);
    s.addTaskManagerDump('tm-1', [
      dump({ category: 'tm', taskManagerId: 'tm-1' }, [{ name: 'Used', type: 'gauge', value: 5 }], 'Status.JVM.Memory.Heap'),
      dump(task(0), [{ name: 'numRecordsIn', type: 'counter', value: 10 }]),
      dump(op(0, 'Map'), [{ name: 'numRecordsOut', type: 'counter', value: 9 }]),
      dump(op(1, 'Map'), [{ name: 'seen', type: 'counter', value: 3 }], 'region.eu'),
      dump(task(1), [{ name: 'isBackPressured', type: 'gauge', value: true }, { name: 'broken', type: 'gauge', value: null }]),
    ]);
    expect(Object.fromEntries(s.jobManager)).toEqual({ numRunningJobs: '1' });
    expect(Object.fromEntries(s.taskManagers.get('tm-1')!)).toEqual({ 'Status.JVM.Memory.Heap.Used': '5' });
    expect(Object.fromEntries(s.jobs.get(JOB)!.metrics)).toEqual({ numRestarts: '2' });
    const t = s.jobs.get(JOB)!.tasks.get(V)!;
    expect(Object.fromEntries(t.metrics)).toEqual({
      '0.numRecordsIn': '10', '0.Map.numRecordsOut': '9', '1.Map.region.eu.seen': '3', '1.isBackPressured': 'true', '1.broken': 'null',
    });
    expect(Object.fromEntries(t.subtasks.get(0)!.metrics)).toEqual({ numRecordsIn: '10', 'Map.numRecordsOut': '9' });
  });

  it('keeps a histogram as Flink\'s _min/_max/_mean/_median/_stddev/_p75…_p999 entries', () => {
    const s = new MetricStore();
    const stats = { min: 1, max: 9, mean: 5, stddev: 2, size: 9, p50: 5, p75: 7, p95: 9, p98: 9, p99: 9, p999: 9, count: 9 };
    s.addJobManagerDump([dump({ category: 'jm' }, [{ name: 'lat', type: 'histogram', value: stats }])]);
    expect(Object.fromEntries(s.jobManager)).toEqual({
      lat_min: '1', lat_max: '9', lat_mean: '5', lat_median: '5', lat_stddev: '2', lat_p75: '7', lat_p95: '9', lat_p98: '9', lat_p99: '9', lat_p999: '9',
    });
  });

  it('a newer attempt of a subtask replaces an older one\'s metrics; a late dump of the old attempt is ignored', () => {
    const s = new MetricStore();
    s.addTaskManagerDump('tm-1', [dump(task(0, 0), [{ name: 'numRecordsIn', type: 'counter', value: 100 }, { name: 'old', type: 'counter', value: 1 }])]);
    s.addTaskManagerDump('tm-2', [dump(task(0, 1), [{ name: 'numRecordsIn', type: 'counter', value: 4 }])]);
    const st = s.jobs.get(JOB)!.tasks.get(V)!.subtasks.get(0)!;
    expect(st.attemptNumber).toBe(1);
    expect(Object.fromEntries(st.metrics)).toEqual({ numRecordsIn: '4' });
    s.addTaskManagerDump('tm-1', [dump(task(0, 0), [{ name: 'numRecordsIn', type: 'counter', value: 200 }])]);
    expect(st.metrics.get('numRecordsIn')).toBe('4');
  });

  it('a TaskManager\'s dump replaces its own metrics; finished tasks keep their last values; jobs the Dispatcher forgot are dropped', () => {
    const s = new MetricStore();
    s.addTaskManagerDump('tm-1', [dump({ category: 'tm', taskManagerId: 'tm-1' }, [{ name: 'a', type: 'gauge', value: 1 }]), dump(task(0), [{ name: 'numRecordsIn', type: 'counter', value: 7 }])]);
    s.addTaskManagerDump('tm-1', [dump({ category: 'tm', taskManagerId: 'tm-1' }, [{ name: 'b', type: 'gauge', value: 2 }])]);
    expect(Object.fromEntries(s.taskManagers.get('tm-1')!)).toEqual({ b: '2' });
    expect(s.jobs.get(JOB)!.tasks.get(V)!.metrics.get('0.numRecordsIn')).toBe('7');
    s.retainJobs(new Set());
    expect(s.jobs.size).toBe(0);
    s.removeTaskManager('tm-1');
    expect(s.taskManagers.size).toBe(0);
  });
});
