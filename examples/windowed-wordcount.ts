// Event-time windowed word count: words per 1-second tumbling window of event time.
// Sentence i happens at event time i * 100 ms (a synthetic clock, so results are the same on every run).
//   npx tsflink run examples/windowed-wordcount.ts --count 400
//   npx tsflink run examples/windowed-wordcount.ts --count 400 --mode BATCH   (same results, windows fire at the end)
// Each output line is JSON: {"windowStart":…,"windowEnd":…,"word":…,"count":…}.
import {
  StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, TumblingEventTimeWindows, ProcessWindowFunction,
  type Collector, type ProcessWindowContext, type TimeWindow,
} from 'tsflink';

const SENTENCES = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
];

interface Sentence { readonly i: number; readonly line: string }
interface WordCount { readonly word: string; readonly count: number }
interface WindowedCount { readonly windowStart: number; readonly windowEnd: number; readonly word: string; readonly count: number }

/** Adds the window to the pre-aggregated count of each word. */
class WithWindow extends ProcessWindowFunction<WordCount, WindowedCount, string, TimeWindow> {
  process(word: string, ctx: ProcessWindowContext<TimeWindow>, counts: Iterable<WordCount>, out: Collector<WindowedCount>): void {
    for (const c of counts) out.collect({ windowStart: ctx.window().start, windowEnd: ctx.window().end, word, count: c.count });
  }
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export default async function main(args: string[]): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode(option(args, '--mode', 'STREAMING') === 'BATCH' ? 'BATCH' : 'STREAMING');
  const count = Number(option(args, '--count', '2000'));

  const source = new DataGeneratorSource<Sentence>((i) => ({ i, line: SENTENCES[i % SENTENCES.length]! }), count);
  // Up to 500 ms out of order is tolerated; the timestamp is the synthetic event time.
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Sentence>(500).withTimestampAssigner((s) => s.i * 100);

  env.fromSource(source, strategy, 'Sentences')
    .flatMap((s: Sentence, out: Collector<WordCount>) => { for (const w of s.line.split(/\s+/)) if (w) out.collect({ word: w, count: 1 }); })
    .name('Tokenizer')
    .keyBy((wc) => wc.word)
    .window(TumblingEventTimeWindows.of(1000))
    .reduce((a, b) => ({ word: a.word, count: a.count + b.count }), new WithWindow())
    .name('Words per second')
    .print();

  await env.execute('Windowed WordCount');
}
