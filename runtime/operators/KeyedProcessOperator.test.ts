import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, KeyedProcessFunction, KeyedCoProcessFunction, ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor,
  ReducingStateDescriptor, AggregatingStateDescriptor, StateTtlConfig, OutputTag, DataGeneratorSource, WatermarkStrategy,
  type Collector, type KeyedProcessContext, type KeyedOnTimerContext, type ValueState, type ListState, type MapState,
  type ReducingState, type AggregatingState, type OpenContext,
} from 'tsflink';

const env = (p = 1): StreamExecutionEnvironment => StreamExecutionEnvironment.createLocalEnvironment(p);
type E = { k: string; v: number };
const events: E[] = [{ k: 'a', v: 1 }, { k: 'b', v: 10 }, { k: 'a', v: 2 }, { k: 'a', v: 3 }, { k: 'b', v: 20 }];

describe('keyed state (heap backend)', () => {
  it('value, list, map, reducing and aggregating state are per key', async () => {
    class AllStates extends KeyedProcessFunction<string, E, string> {
      private count!: ValueState<number>;
      private list!: ListState<number>;
      private map!: MapState<number, string>;
      private sum!: ReducingState<number>;
      private avg!: AggregatingState<number, number>;
      override open(_c: OpenContext): void {
        const rc = this.getRuntimeContext();
        this.count = rc.getState(new ValueStateDescriptor<number>('count', 0));
        this.list = rc.getListState(new ListStateDescriptor<number>('list'));
        this.map = rc.getMapState(new MapStateDescriptor<number, string>('map'));
        this.sum = rc.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
        this.avg = rc.getAggregatingState(new AggregatingStateDescriptor<number, [number, number], number>('avg', {
          createAccumulator: () => [0, 0], add: (v, acc) => [acc[0] + v, acc[1] + 1], getResult: (acc) => acc[0] / acc[1], merge: (x, y) => [x[0] + y[0], x[1] + y[1]],
        }));
      }
      processElement(e: E, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
        this.count.update((this.count.value() ?? 0) + 1);
        this.list.add(e.v);
        this.map.put(e.v, `v${e.v}`);
        this.sum.add(e.v);
        this.avg.add(e.v);
        out.collect(`${ctx.getCurrentKey()} n=${this.count.value()} list=${[...this.list.get()].join('|')} map=${[...this.map.keys()].join('|')} ` +
          `has1=${this.map.contains(1)} sum=${this.sum.get()} avg=${this.avg.get()}`);
      }
    }
    const out = await env(2).fromElements(...events).keyBy((e) => e.k).process(new AllStates()).executeAndCollect();
    expect(out).toContain('a n=3 list=1|2|3 map=1|2|3 has1=true sum=6 avg=2');
    expect(out).toContain('b n=2 list=10|20 map=10|20 has1=false sum=30 avg=15');
  });

  it('clear, update, remove and TTL', async () => {
    let now = 0;
    class Ttl extends KeyedProcessFunction<string, E, string> {
      private v!: ValueState<number>;
      private l!: ListState<number>;
      private m!: MapState<string, number>;
      override open(): void {
        const d = new ValueStateDescriptor<number>('ttl');
        d.enableTimeToLive(StateTtlConfig.newBuilder(1).build());
        this.v = this.getRuntimeContext().getState(d);
        this.l = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('l'));
        this.m = this.getRuntimeContext().getMapState(new MapStateDescriptor<string, number>('m'));
      }
      processElement(e: E, _c: KeyedProcessContext<string>, out: Collector<string>): void {
        const before = this.v.value();
        this.v.update(e.v);
        this.l.update([e.v, e.v]);
        this.m.putAll({ x: 1, y: 2 });
        this.m.remove('x');
        const entries = JSON.stringify([...this.m.entries()]);
        this.l.clear();
        out.collect(`${before}:${[...this.l.get()].length}:${entries}:${this.m.isEmpty()}`);
        // Busy-wait past the 1 ms TTL so the next element of the key sees it expired.
        const t = Date.now(); while (Date.now() - t < 3) { now++; }
      }
    }
    const out = await env().fromElements({ k: 'a', v: 1 }, { k: 'a', v: 2 }).keyBy((e) => e.k).process(new Ttl()).executeAndCollect();
    expect(out).toEqual(['undefined:0:[["y",2]]:false', 'undefined:0:[["y",2]]:false']);
    expect(now).toBeGreaterThan(0);
  });

  it('keyed state on a non-keyed stream is a clear error', async () => {
    await expect(env().fromElements(1).map(new (class { map(v: number) { return v; } })()).process({
      processElement(this: { getRuntimeContext?: unknown }) { throw new Error('unreachable'); },
    }).executeAndCollect()).rejects.toThrow();
    const { RichMapFunction } = await import('tsflink');
    class Bad extends RichMapFunction<number, number> {
      override open(): void { this.getRuntimeContext().getState(new ValueStateDescriptor('x')); }
      map(v: number): number { return v; }
    }
    await expect(env().fromElements(1).map(new Bad()).executeAndCollect()).rejects.toThrow(/only available on a keyed stream \(after keyBy\)/);
  });
});

describe('KeyedProcessFunction timers', () => {
  it('processing-time timers fire per key with the key, the time domain, and state', async () => {
    class Delay extends KeyedProcessFunction<string, E, string> {
      private sum!: ValueState<number>;
      override open(): void { this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum', 0)); }
      processElement(e: E, ctx: KeyedProcessContext<string>, _out: Collector<string>): void {
        this.sum.update(this.sum.value()! + e.v);
        const ts = ctx.timerService();
        // Same timestamp twice: one timer per key and timestamp.
        const at = Math.ceil((ts.currentProcessingTime() + 30) / 50) * 50;
        ts.registerProcessingTimeTimer(at);
        ts.registerProcessingTimeTimer(at);
      }
      override onTimer(_t: number, ctx: KeyedOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}:${ctx.timeDomain()}:${this.sum.value()}`);
        this.sum.clear();
      }
    }
    // The generator keeps the job alive long enough for timers to fire in STREAMING.
    const e = env(2);
    const src = new DataGeneratorSource<E>((i) => events[i % events.length], 50, 100);
    const out = await e.fromSource(src, WatermarkStrategy.noWatermarks(), 'slow').keyBy((x) => x.k).process(new Delay()).executeAndCollect();
    const total = (k: string): number => out.filter((s) => s.startsWith(`${k}:`)).reduce((a, s) => a + Number(s.split(':')[2]), 0);
    expect(out.every((s) => s.split(':')[1] === 'PROCESSING_TIME')).toBe(true);
    // Timers registered in the last ~50 ms may be pending at the end (dropped, as in Flink), so totals are bounded.
    expect(total('a')).toBeGreaterThan(0);
    expect(total('a')).toBeLessThanOrEqual(60);
    expect(total('b')).toBeLessThanOrEqual(300);
  });

  it('in BATCH, timers fire when the key\'s input is complete', async () => {
    class OnEnd extends KeyedProcessFunction<string, E, string> {
      private n!: ValueState<number>;
      override open(): void { this.n = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('n', 0)); }
      processElement(_e: E, ctx: KeyedProcessContext<string>): void {
        this.n.update(this.n.value()! + 1);
        // One far-future timestamp for all elements of a key (one timer per key and timestamp); beyond setTimeout's range.
        ctx.timerService().registerProcessingTimeTimer(Date.UTC(2100, 0, 1));
        ctx.timerService().registerEventTimeTimer(1);
      }
      override onTimer(_t: number, ctx: KeyedOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}:${ctx.timeDomain()}:${this.n.value()}`);
      }
    }
    const out = await env(2).setRuntimeMode('BATCH').fromElements(...events).keyBy((e) => e.k).process(new OnEnd()).executeAndCollect();
    expect(out.sort()).toEqual(['a:EVENT_TIME:3', 'a:PROCESSING_TIME:3', 'b:EVENT_TIME:2', 'b:PROCESSING_TIME:2']);
  });

  it('deleteProcessingTimeTimer cancels a timer; side outputs work from keyed functions', async () => {
    const late = new OutputTag<string>('deleted');
    class Del extends KeyedProcessFunction<string, E, string> {
      processElement(e: E, ctx: KeyedProcessContext<string>): void {
        const t = ctx.timerService().currentProcessingTime() + 5;
        ctx.timerService().registerProcessingTimeTimer(t);
        ctx.timerService().deleteProcessingTimeTimer(t);
        ctx.output(late, `${e.k}${e.v}`);
      }
      override onTimer(_t: number, _c: KeyedOnTimerContext<string>, out: Collector<string>): void { out.collect('fired'); }
    }
    const e = env();
    const main = e.fromSource(new DataGeneratorSource<E>((i) => events[i % 5], 5, 50), WatermarkStrategy.noWatermarks(), 's').keyBy((x) => x.k).process(new Del());
    const side = await main.getSideOutput(late).executeAndCollect();
    expect(side.sort()).toEqual(['a1', 'a2', 'a3', 'b10', 'b20']);
  });
});

describe('KeyedCoProcessFunction', () => {
  it('shares keyed state between both inputs', async () => {
    class Join extends KeyedCoProcessFunction<string, E, { id: string; name: string }, string> {
      private name!: ValueState<string>;
      private pending!: ListState<number>;
      override open(): void {
        this.name = this.getRuntimeContext().getState(new ValueStateDescriptor<string>('name'));
        this.pending = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('pending'));
      }
      processElement1(e: E, _c: KeyedProcessContext<string>, out: Collector<string>): void {
        const n = this.name.value();
        if (n) out.collect(`${n}:${e.v}`); else this.pending.add(e.v);
      }
      processElement2(u: { id: string; name: string }, _c: KeyedProcessContext<string>, out: Collector<string>): void {
        this.name.update(u.name);
        for (const v of this.pending.get()) out.collect(`${u.name}:${v}`);
        this.pending.clear();
      }
    }
    const e = env(2);
    const users = e.fromElements({ id: 'a', name: 'Ann' }, { id: 'b', name: 'Bob' });
    const out = await e.fromElements(...events).connect(users).keyBy((x) => x.k, (u) => u.id).process(new Join()).executeAndCollect();
    expect(out.sort()).toEqual(['Ann:1', 'Ann:2', 'Ann:3', 'Bob:10', 'Bob:20']);
  });
});

describe('processing-time service', () => {
  it('a timer beyond setTimeout\'s 24.8-day range does not fire early', async () => {
    const { TaskProcessingTimeService } = await import('./timers/ProcessingTimeService.js');
    const fired: number[] = [];
    const pts = new TaskProcessingTimeService((mail) => { void mail(); });
    pts.registerTimer(Date.now() + 40 * 86_400_000, (t) => fired.push(t));
    pts.registerTimer(Date.now() + 5, (t) => fired.push(t));
    await new Promise((r) => setTimeout(r, 60));
    expect(fired.length).toBe(1);
    pts.quiesce();
  });
});
