// Ad attribution with joins and broadcast state, on a synthetic event-time clock (same results every run).
// Impression i of ad (i % 5) happens at i * 100 ms; every third impression gets a click 250 ms later.
//   npx tsflink run examples/window-join.ts --count 600
//   npx tsflink run examples/window-join.ts --count 600 --mode BATCH    (same results)
// Output lines are JSON:
//   {"kind":"window",…}      per ad and 10 s window: impressions and clicks (a window coGroup)
//   {"kind":"attributed",…}  each click with the impression it follows by at most 300 ms (an interval join)
// Window results carry the campaign name of their ad from broadcast state; results that arrive before
// the name wait in keyed state until it does (Flink's broadcast-state pattern).
import { parseArgs } from 'node:util';
import {
  StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, TumblingEventTimeWindows, ProcessJoinFunction,
  KeyedBroadcastProcessFunction, MapStateDescriptor, ListStateDescriptor,
  type Collector, type ProcessJoinContext, type KeyedBroadcastContext, type KeyedReadOnlyContext, type ListState,
} from 'tsflink';

interface Event { readonly ad: number; readonly ts: number }
interface WindowCount { readonly ad: number; readonly windowEnd: number; readonly impressions: number; readonly clicks: number }

const CAMPAIGNS = new MapStateDescriptor<number, string>('campaigns');
const WAITING = new ListStateDescriptor<WindowCount>('waiting-for-campaign');

/** The impression a click follows. */
class Attribute extends ProcessJoinFunction<Event, Event, string> {
  processElement(impression: Event, click: Event, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(JSON.stringify({ kind: 'attributed', ad: click.ad, impressionTs: impression.ts, clickTs: click.ts, at: ctx.getTimestamp() }));
  }
}

/** Names each window result after its ad's campaign (broadcast state); results seen before the name wait for it. */
class NameCampaign extends KeyedBroadcastProcessFunction<number, WindowCount, [number, string], string> {
  processElement(c: WindowCount, ctx: KeyedReadOnlyContext<number>, out: Collector<string>): void {
    const campaign = ctx.getBroadcastState(CAMPAIGNS).get(c.ad);
    if (campaign === undefined) this.getRuntimeContext().getListState(WAITING).add(c);
    else out.collect(JSON.stringify({ kind: 'window', campaign, ...c }));
  }
  processBroadcastElement([ad, campaign]: [number, string], ctx: KeyedBroadcastContext<number>, out: Collector<string>): void {
    ctx.getBroadcastState(CAMPAIGNS).put(ad, campaign);
    ctx.applyToKeyedState(WAITING, (key: number, waiting: ListState<WindowCount>) => {
      if (key !== ad) return;
      for (const c of waiting.get()) out.collect(JSON.stringify({ kind: 'window', campaign, ...c }));
      waiting.clear();
    });
  }
}

export default async function main(args: string[]): Promise<void> {
  const { values: opts } = parseArgs({ args, options: { count: { type: 'string', default: '3000' }, mode: { type: 'string', default: 'STREAMING' } } });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode(opts.mode === 'BATCH' ? 'BATCH' : 'STREAMING');
  const count = Number(opts.count);
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Event>(500).withTimestampAssigner((e) => e.ts);

  const impressions = env.fromSource(new DataGeneratorSource<Event>((i) => ({ ad: i % 5, ts: i * 100 }), count), strategy, 'Impressions');
  const clicks = env.fromSource(new DataGeneratorSource<Event>((j) => ({ ad: (j * 3) % 5, ts: j * 300 + 250 }), Math.ceil(count / 3)), strategy, 'Clicks');

  const perWindow = impressions.coGroup(clicks).where((e) => e.ad).equalTo((e) => e.ad)
    .window(TumblingEventTimeWindows.of(10_000))
    .apply((imps: Iterable<Event>, clks: Iterable<Event>, out: Collector<WindowCount>) => {
      const first = [...imps][0] ?? [...clks][0]!;
      out.collect({ ad: first.ad, windowEnd: Math.floor(first.ts / 10_000) * 10_000 + 10_000, impressions: [...imps].length, clicks: [...clks].length });
    })
    .name('Impressions and clicks per 10 s');

  const campaigns = env.fromElements<[number, string]>([0, 'spring'], [1, 'summer'], [2, 'autumn'], [3, 'winter'], [4, 'evergreen'])
    .broadcast(CAMPAIGNS);
  const named = perWindow.keyBy((c) => c.ad).connect(campaigns).process(new NameCampaign()).name('Campaign names');

  const attributed = impressions.keyBy((e) => e.ad).intervalJoin(clicks.keyBy((e) => e.ad))
    .between(0, 300)
    .process(new Attribute())
    .name('Click attribution');

  named.union(attributed).print();
  await env.execute('Window join');
}
