// P3: BATCH word count over a generated text file (issue 14). One invocation, alternating rounds:
//   tsflink BATCH p=1 and p=2 (embedded cluster, worker-thread slots: `tsflink run`'s path; blocking shuffle files),
//   Apache Flink BATCH p=1 and p=2 (local MiniCluster in a JVM, bench/p3-flink-peer, warm-up job first),
//   P3-limit: a hand-written single-threaded Node loop (readline + split + Map, writes the same output).
// Every run's output is checked against the loop's (same words, same counts). Also in the same run: the disk's
// `dd` write/read speed and the blocking shuffle's own write/read speed (hash and sort-merge partitions of
// [word, 1] records, in-process).
// Times: job net runtime for the engines (deploy to finish), wall time for the loop.
// Targets: tsflink ≥ 1.5× Flink; P3-limit p=1 ≤ 1.5× the loop, p=2 faster than the loop.
//   node dist/bench/p3-batch-wordcount.js [megabytes=256] [rounds=3] [--no-flink] [--no-write]
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { effectiveCores, machineLine, writeResultsSection } from './machine.js';
import { f2, flinkPeer, outputOf, runTsflink, Timings } from './p3-common.js';
import { shuffleThroughput } from './p3-shuffle-throughput.js';

const WORK = join(tmpdir(), 'tsflink-p3');

/** Deterministic text: lines of 6–14 words from a skewed vocabulary of 200k words (a few very frequent ones, a long tail). */
async function generate(megabytes: number): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const path = join(WORK, `text-${megabytes}mb.txt`);
  if (existsSync(path) && statSync(path).size >= megabytes * 2 ** 20) return path;
  const out = createWriteStream(path);
  let seed = 42;
  const rnd = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
  let written = 0;
  const target = megabytes * 2 ** 20;
  while (written < target) {
    let chunk = '';
    for (let l = 0; l < 10_000; l++) {
      const n = 6 + Math.floor(rnd() * 9);
      const words: string[] = [];
      for (let i = 0; i < n; i++) words.push(`w${Math.floor(200_000 * rnd() ** 3).toString(36)}`);
      chunk += `${words.join(' ')}\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return path;
}

/** The job written by hand: one thread, readline + split + Map, then the same "word\tcount" output. */
async function loop(input: string, output: string): Promise<number> {
  const t = performance.now();
  const counts = new Map<string, number>();
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    for (const w of line.split(' ')) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  mkdirSync(output, { recursive: true });
  const out = createWriteStream(join(output, 'part-0'));
  let buf = '';
  for (const [w, c] of counts) {
    buf += `${w}\t${c}\n`;
    if (buf.length > 1 << 16) { if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r())); buf = ''; }
  }
  await new Promise<void>((r, j) => out.end(buf, (e?: Error | null) => (e ? j(e) : r())));
  return performance.now() - t;
}

/** dd's write (fdatasync at the end) and read speed of `mb` MiB in MB/s (decimal, as dd prints). */
function dd(mb: number): { write: number; read: number } {
  const f = join(WORK, 'tmp', 'dd.bin');
  const rate = (out: string): number => {
    const m = /, ([\d.]+) ([kMG]?B)\/s/.exec(out);
    if (!m) throw new Error(`cannot read dd's speed from: ${out}`);
    return Number(m[1]) * ({ kB: 1e-3, MB: 1, GB: 1e3, B: 1e-6 } as Record<string, number>)[m[2]!]!;
  };
  const w = execFileSync('sh', ['-c', `dd if=/dev/zero of=${f} bs=1M count=${mb} conv=fdatasync 2>&1`], { encoding: 'utf8' });
  const r = execFileSync('sh', ['-c', `dd if=${f} of=/dev/null bs=1M 2>&1`], { encoding: 'utf8' });
  rmSync(f, { force: true });
  return { write: rate(w), read: rate(r) };
}

function shuffleRow(s: Awaited<ReturnType<typeof shuffleThroughput>>): string {
  const mb = s.raw.bytes / 1e6;
  const r = (x: { writeMs: number; readMs: number; bytes: number }): string => `${(mb / (x.writeMs / 1000)).toFixed(0)} / ${(mb / (x.readMs / 1000)).toFixed(0)}`;
  return `hash ${r(s.raw)} uncompressed; hash ${r(s.hash)} and sort-merge ${r(s.sort)} compressed (the default; files ${(s.hash.bytes / 1e6).toFixed(0)} MB)`;
}

async function main(): Promise<void> {
  const pos = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const megabytes = Number(pos[0] ?? 256);
  const rounds = Number(pos[1] ?? 3);
  const write = !process.argv.includes('--no-write');
  const flink = process.argv.includes('--no-flink') ? null : flinkPeer('p3-flink-peer', 'bench.P3', join(WORK, 'tmp'));
  mkdirSync(join(WORK, 'tmp'), { recursive: true });
  const input = await generate(megabytes);
  const warmup = await generate(8);
  const size = statSync(input).size;
  const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'p3-wordcount-job.ts'));
  const outDir = (k: string): string => { const d = join(WORK, `out-${k.replace(/\W+/g, '-')}`); rmSync(d, { recursive: true, force: true }); return d; };

  const tsflink = (p: number, args: string[]): Promise<number> => runTsflink(bundle, p, args, join(WORK, 'tmp'));
  const t = new Timings("the loop's");
  {
    const o = outDir('warm');
    await tsflink(1, [warmup, o]); // warm-up (bundle cache, page cache)
    rmSync(o, { recursive: true, force: true });
  }
  const disk = dd(256);
  const cores = await effectiveCores();
  for (let r = 0; r < rounds; r++) {
    const lo = outDir('loop');
    const ms = await loop(input, lo);
    if (r === 0) t.expected = outputOf(lo);
    t.add('loop', ms, lo);
    for (const p of [1, 2]) {
      const o = outDir(`tsflink-${p}`);
      t.add(`tsflink p${p}`, await tsflink(p, [input, o]), o);
      if (flink) {
        const f = outDir(`flink-${p}`);
        t.add(`flink p${p}`, await flink.run('wordcount', p, input, f, warmup), f);
      }
    }
  }
  const shuffle = await shuffleThroughput(join(WORK, 'tmp'));
  const m = (k: string): number => t.median(k);
  const row = (label: string, k: string): string => t.row(label, k, (ms) => (size / 1e6 / (ms / 1000)).toFixed(1));
  const words = t.expected.split('\n').length;
  const body = `Run ${new Date().toISOString()} (loaded: other agents share the machine; effective cores for two busy threads at the start: ${cores.toFixed(2)} of 2). ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''}

BATCH word count over ${(size / 2 ** 20).toFixed(0)} MiB of generated text (${words.toLocaleString('en-US')} distinct words, skewed): \`readTextFile → flatMap(split(' '))
→ keyBy(word) → sum(1) → FileSink\`, every output checked equal to the loop's. tsflink: embedded cluster, worker-thread slots (\`tsflink run\`'s
path), blocking shuffle files under \`io.tmp.dirs\`, sorted keyed input. Flink: the same job on a local MiniCluster (\`bench/p3-flink-peer\`,
one JVM per run, a warm-up job over 8 MiB first). Loop: readline + split + Map in one thread, same output. Times: job net runtime for the
engines, wall time for the loop; median of ${rounds} alternating rounds.

| | s | MB/s of input | runs (s) |
|---|---:|---:|---|
${row('hand-written loop (1 thread)', 'loop')}
${row('tsflink p=1', 'tsflink p1')}
${row('tsflink p=2', 'tsflink p2')}
${flink ? `${row('Apache Flink p=1', 'flink p1')}\n${row('Apache Flink p=2', 'flink p2')}` : ''}

- tsflink / Flink speed, p=1: **${f2(m('flink p1') / m('tsflink p1'))}×**, p=2: **${f2(m('flink p2') / m('tsflink p2'))}×** (target ≥ 1.5×).
- P3-limit: tsflink p=1 time / loop time **${f2(m('tsflink p1') / m('loop'))}×** (target ≤ 1.5×); p=2 **${f2(m('tsflink p2') / m('loop'))}×** (target < 1).
- Disk (\`dd\`, 256 MiB, bs=1M): write ${disk.write.toFixed(0)} MB/s (with fdatasync), read ${disk.read.toFixed(0)} MB/s (page cache).
- Blocking shuffle, in one thread: ${shuffle.records.toLocaleString('en-US')} \`[word, 1]\` records (${(shuffle.raw.bytes / 1e6).toFixed(0)} MB serialized) into 2 subpartitions, then read
  back through an input gate; MB/s of serialized records (write / read): ${shuffleRow(shuffle)}.`;
  console.log(body);
  if (write) writeResultsSection(packageRoot(), 'P3 BATCH word count: tsflink vs Apache Flink vs hand-written loop', body);
}

await main();
