// Word count over a text file or directory, in BATCH mode: one final count per word.
//   npx tsflink run examples/wordcount.ts <input path> [--output <dir>]
import { StreamExecutionEnvironment, FileSink, BasePathBucketAssigner, type Collector } from 'tsflink';

export default async function main(args: string[]): Promise<void> {
  const input = args[0];
  if (!input) throw new Error('usage: wordcount.ts <input file or directory> [--output <dir>]');
  const outIdx = args.indexOf('--output');
  const output = outIdx >= 0 ? args[outIdx + 1] : undefined;

  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode('BATCH');

  const counts = env.readTextFile(input)
    .flatMap((line: string, out: Collector<[string, number]>) => {
      for (const w of line.toLowerCase().split(/\W+/)) if (w) out.collect([w, 1]);
    })
    .name('Tokenizer')
    .keyBy((t) => t[0])
    .sum(1)
    .name('Counter');

  if (output) {
    counts.sinkTo(FileSink.forRowFormat<[string, number]>(output, (t) => `${t[0]}\t${t[1]}`)
      .withBucketAssigner(new BasePathBucketAssigner()).build()).name('Sink: counts');
  } else {
    counts.print();
  }
  await env.execute('WordCount');
}
