// Top-N items per category, emitted by processing-time timers: a KeyedProcessFunction with
// keyed MapState and timers. In STREAMING, each category reports its top N every interval;
// in BATCH, timers fire when a category's input is complete, so the report is final.
//   npx tsflink run examples/top-n.ts [--n 3] [--events 50000] [--interval 500]
//   npx tsflink run -D execution.runtime-mode=BATCH examples/top-n.ts
import {
  StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, KeyedProcessFunction, MapStateDescriptor, ValueStateDescriptor,
  type Collector, type KeyedProcessContext, type KeyedOnTimerContext, type MapState, type ValueState, type OpenContext,
} from 'tsflink';

interface View { category: string; item: string }
interface TopN { category: string; top: Array<[string, number]> }

const CATEGORIES = ['books', 'music', 'games', 'films'];

/** Deterministic pseudo-random views: item i of a category is viewed with weight ~ 1/(i+1). */
function view(index: number): View {
  const h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const category = CATEGORIES[h % CATEGORIES.length];
  const item = `${category}-${Math.floor(((h >>> 8) % 1000) ** 2 / 1000 / 100)}`;
  return { category, item };
}

class TopItems extends KeyedProcessFunction<string, View, TopN> {
  private counts!: MapState<string, number>;
  private timerSet!: ValueState<boolean>;
  constructor(private readonly n: number, private readonly intervalMs: number) { super(); }

  override open(_ctx: OpenContext): void {
    this.counts = this.getRuntimeContext().getMapState(new MapStateDescriptor<string, number>('counts'));
    this.timerSet = this.getRuntimeContext().getState(new ValueStateDescriptor<boolean>('timer-set', false));
  }

  processElement(v: View, ctx: KeyedProcessContext<string>, _out: Collector<TopN>): void {
    this.counts.put(v.item, (this.counts.get(v.item) ?? 0) + 1);
    if (!this.timerSet.value()) {
      const ts = ctx.timerService();
      ts.registerProcessingTimeTimer(ts.currentProcessingTime() + this.intervalMs);
      this.timerSet.update(true);
    }
  }

  override onTimer(_ts: number, ctx: KeyedOnTimerContext<string>, out: Collector<TopN>): void {
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, this.n) as Array<[string, number]>;
    out.collect({ category: ctx.getCurrentKey(), top });
    this.timerSet.update(false);
  }
}

function option(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export default async function main(args: string[]): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const events = option(args, '--events', 50_000);
  const rate = option(args, '--rate', 20_000);
  const source = new DataGeneratorSource<View>(view, events, env.getRuntimeMode() === 'BATCH' ? undefined : rate);
  env.fromSource(source, WatermarkStrategy.noWatermarks(), 'Views')
    .keyBy((v) => v.category)
    .process(new TopItems(option(args, '--n', 3), option(args, '--interval', 500)))
    .name('Top items')
    .map((t) => `${t.category}: ${t.top.map(([item, c]) => `${item}=${c}`).join(', ')}`)
    .print();
  await env.execute('Top-N per category');
}
