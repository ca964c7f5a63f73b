// Exactly-once word count with checkpoints: running counts per word into the exactly-once FileSink.
// Kill TaskManagers while it runs (kill -9 <pid>): the job restores the latest checkpoint and the
// committed files still hold every update exactly once.
//   npx tsflink run examples/checkpointed-wordcount.ts --out /tmp/wc-out --checkpoints file:///tmp/wc-chk
//   npx tsflink run -m localhost:8081 -p 4 examples/checkpointed-wordcount.ts --out hdfs://nn:8020/wc --checkpoints hdfs://nn:8020/chk
// Options: --count (sentences, default 50,000), --rate (per second, default 5,000), --interval (checkpoint ms, default 1,000).
// Each output line is "<word> <count>"; a word's counts are exactly 1..n, each once.
import { StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, FileSink, BasePathBucketAssigner, type Collector } from 'tsflink';

const SENTENCES = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
];

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export default async function main(args: string[]): Promise<void> {
  const out = option(args, '--out', 'file:///tmp/tsflink-checkpointed-wordcount');
  const checkpoints = option(args, '--checkpoints', 'file:///tmp/tsflink-checkpoints');
  const count = Number(option(args, '--count', '50000'));
  const rate = Number(option(args, '--rate', '5000'));

  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode('STREAMING');
  env.enableCheckpointing(Number(option(args, '--interval', '1000')));
  env.getCheckpointConfig().setCheckpointStorage(checkpoints);

  env.fromSource(new DataGeneratorSource<string>((i) => SENTENCES[i % SENTENCES.length]!, count, rate > 0 ? rate : undefined), WatermarkStrategy.noWatermarks(), 'Sentences')
    .flatMap((line: string, o: Collector<[string, number]>) => { for (const w of line.split(' ')) o.collect([w, 1]); })
    .name('Tokenizer')
    .keyBy((t) => t[0])
    .sum(1)
    .name('Running count')
    .sinkTo(FileSink.forRowFormat<[string, number]>(out, (t) => `${t[0]} ${t[1]}`).withBucketAssigner(new BasePathBucketAssigner()).build())
    .name('Exactly-once files');

  await env.execute('Checkpointed WordCount');
}
