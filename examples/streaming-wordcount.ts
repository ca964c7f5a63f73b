// Streaming word count: running counts, updated with every word (STREAMING mode).
//   npx tsflink run examples/streaming-wordcount.ts                  generated sentences (default 20,000 at 5,000/s)
//   npx tsflink run examples/streaming-wordcount.ts --count 1000 --rate 0
//   npx tsflink run examples/streaming-wordcount.ts --socket localhost:9999   (e.g. with `nc -lk 9999`)
import { StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, type DataStream, type Collector } from 'tsflink';

const SENTENCES = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
];

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function main(args: string[]): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode('STREAMING');

  let lines: DataStream<string>;
  const socket = option(args, '--socket');
  if (socket) {
    const [host, port] = socket.split(':');
    lines = env.socketTextStream(host, Number(port));
  } else {
    const count = Number(option(args, '--count') ?? 20_000);
    const rate = Number(option(args, '--rate') ?? 5_000);
    const source = new DataGeneratorSource<string>((i) => SENTENCES[i % SENTENCES.length], count, rate > 0 ? rate : undefined);
    lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), 'Sentences');
  }

  lines
    .flatMap((line: string, out: Collector<{ word: string; count: number }>) => { for (const w of line.split(/\s+/)) if (w) out.collect({ word: w, count: 1 }); })
    .name('Tokenizer')
    .keyBy((wc) => wc.word)
    .sum('count')
    .name('Running count')
    .print();

  await env.execute('Streaming WordCount');
}
