// B3 — MessagePort channel throughput between two worker-thread slots.
//
//   npx tsc -p tsconfig.json && node dist/bench/network-messageport.js [records=5000000] [--repeat=3] [--append]
//
// Scenarios (same records, same msgpackr buffer serializer, consumer decodes every record):
//   channel   tsflink ResultPartition → MessagePort → SingleInputGate, credit-based, buffers recycled
//   bare      the same serialized 32 KiB buffers posted on a bare MessagePort (transfer, no flow control)
//   in-thread tsflink channel with producer and consumer in one thread (loopback transport), for reference
// --append writes the table under "## B3 MessagePort channel" in bench/RESULTS.md.
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ShuffleEnvironment } from '../runtime/network/index.js';
import { RecordBufferBuilder } from '../runtime/network/RecordBufferBuilder.js';
import { RecordDeserializer } from '../runtime/network/RecordDeserializer.js';
import { BENCH_NETWORK_CONFIG as config, consumeRecords, fmt, makeRecord, produceRecords, tableLines, touch, type Row, type Shape } from './channel-driver.js';

interface WorkerArgs {
  role: 'channel-producer' | 'channel-consumer' | 'bare-producer' | 'bare-consumer' | 'cpu-probe';
  n: number;
  shape: Shape;
  port: MessagePort;
  peer: number;
}

interface WorkerResult {
  records: number;
  bytes: number;
  elapsedMs: number;
  startedAt: number;
  endedAt: number;
  buffersAllocated?: number;
}

// ---------------------------------------------------------------- worker side

async function runWorker(args: WorkerArgs): Promise<WorkerResult> {
  const { role, n, shape } = args;
  if (role === 'cpu-probe') {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003;
    const t1 = performance.now();
    return { records: x, bytes: 0, elapsedMs: t1 - t0, startedAt: t0, endedAt: t1 };
  }
  if (role === 'channel-producer') {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    env.addSlotConnection(1, args.port);
    const p = env.createResultPartition({ partitionId: 'b3', numSubpartitions: 1, bufferTimeout: 100, owner: 'B3 source' });
    const t0 = performance.now();
    await produceRecords(p, n, shape);
    p.finish();
    const t1 = performance.now();
    const res = { records: p.numRecordsOut, bytes: p.numBytesOut, elapsedMs: t1 - t0, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t1, buffersAllocated: env.pool.numAllocated };
    setTimeout(() => env.close(), 500);
    return res;
  }
  if (role === 'channel-consumer') {
    const env = new ShuffleEnvironment({ slotIndex: 1, config });
    env.addSlotConnection(0, args.port);
    const gate = env.createInputGate({ channels: [{ partitionId: 'b3', subpartition: 0, location: { kind: 'slot', slotIndex: 0 } }], owner: 'B3 sink' });
    const { records, firstBatchAt: t0 } = await consumeRecords(gate, shape);
    const t1 = performance.now();
    const res = { records, bytes: gate.numBytesIn, elapsedMs: t1 - t0, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t1 };
    gate.close();
    env.close();
    return res;
  }
  if (role === 'bare-producer') {
    // Same serializer and buffer size, fresh ArrayBuffer per buffer, transferred, no credits, no reuse.
    let records = 0;
    let bytes = 0;
    const port = args.port;
    const builder = new RecordBufferBuilder(config.bufferSize, {
      acquireBuffer: () => new ArrayBuffer(config.bufferSize),
      onBufferFinished: (b) => {
        bytes += b.length;
        port.postMessage({ buffer: b.buffer, length: b.length }, [b.buffer]);
      },
    }, () => 'B3 bare source');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      builder.add(makeRecord(i, shape), undefined);
      records++;
      // let the port's queue drain occasionally, as a task loop would yield
      if ((i & 0xffff) === 0xffff) await new Promise((r) => setImmediate(r));
    }
    builder.finish();
    port.postMessage({ end: true });
    const t1 = performance.now();
    return { records, bytes, elapsedMs: t1 - t0, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t1 };
  }
  // bare-consumer
  const de = new RecordDeserializer();
  return await new Promise<WorkerResult>((resolve) => {
    let t0 = 0;
    let records = 0;
    let bytes = 0;
    let sink = 0;
    args.port.on('message', (m: { buffer?: ArrayBuffer; length?: number; end?: boolean }) => {
      if (t0 === 0) t0 = performance.now();
      if (m.end) {
        const t1 = performance.now();
        args.port.close();
        if (sink === -1) console.log(sink);
        resolve({ records, bytes, elapsedMs: t1 - t0, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t1 });
        return;
      }
      const { values } = de.decode(m.buffer!, m.length!);
      records += values.length;
      bytes += m.length!;
      sink += touch(values, shape);
    });
  });
}

if (!isMainThread) {
  const args = workerData as WorkerArgs;
  void runWorker(args).then((r) => parentPort!.postMessage(r));
}

// ---------------------------------------------------------------- main thread

function startWorker(role: WorkerArgs['role'], n: number, shape: Shape, port?: MessagePort): Promise<WorkerResult> {
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { role, n, shape, port, peer: 0 }, transferList: port ? [port] : [] });
  return new Promise((resolve, reject) => {
    w.once('message', (r: WorkerResult) => {
      resolve(r);
      setTimeout(() => void w.terminate(), 1000);
    });
    w.once('error', reject);
  });
}

async function twoWorkers(kind: 'channel' | 'bare', n: number, shape: Shape): Promise<Row> {
  const { port1, port2 } = new MessageChannel();
  const [prod, cons] = await Promise.all([startWorker(`${kind}-producer`, n, shape, port1), startWorker(`${kind}-consumer`, n, shape, port2)]);
  if (cons.records !== n) throw new Error(`${kind}: consumer saw ${cons.records} of ${n} records`);
  // end-to-end: first record produced → last record decoded
  const seconds = (cons.endedAt - prod.startedAt) / 1000;
  return {
    scenario: kind === 'channel' ? 'tsflink MessagePort channel (2 slots)' : 'bare MessagePort, same buffers (2 threads)',
    shape,
    records: n,
    seconds,
    recordsPerSec: n / seconds,
    mbPerSec: cons.bytes / seconds / 1e6,
    note: kind === 'channel' ? `${prod.buffersAllocated} ArrayBuffers allocated for ${Math.round(cons.bytes / 32768)}+ buffers` : 'no flow control, one new ArrayBuffer per buffer',
  };
}

async function inThread(n: number, shape: Shape): Promise<Row> {
  const env = new ShuffleEnvironment({ slotIndex: 0, config });
  const p = env.createResultPartition({ partitionId: 'b3-local', numSubpartitions: 1, bufferTimeout: 100, owner: 'B3 source' });
  const gate = env.createInputGate({ channels: [{ partitionId: 'b3-local', subpartition: 0, location: { kind: 'local' } }], owner: 'B3 sink' });
  const t0 = performance.now();
  // Cooperative tasks, as in in-thread mode: the source runs until backpressured, then yields to the sink.
  const consumer = consumeRecords(gate, shape);
  await produceRecords(p, n, shape);
  p.finish();
  const received = (await consumer).records;
  const seconds = (performance.now() - t0) / 1000;
  if (received !== n) throw new Error(`in-thread: ${received} of ${n}`);
  const bytes = gate.numBytesIn;
  env.close();
  return { scenario: 'tsflink in-thread channel (1 thread)', shape, records: n, seconds, recordsPerSec: n / seconds, mbPerSec: bytes / seconds / 1e6, note: 'producer + consumer share one core' };
}

function median(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const m = sorted[Math.floor(sorted.length / 2)]!;
  return { ...m, note: `${m.note}; median of ${rows.length}: ${sorted.map((r) => `${(r.recordsPerSec / 1e6).toFixed(2)}M`).join(' / ')} rec/s` };
}

/**
 * How many cores two busy threads really get right now (2.0 = two free cores): the machine is shared, and a
 * two-thread result is only meaningful next to this number.
 */
async function cpuProbe(): Promise<number> {
  const iterations = 100_000_000;
  const one = (await startWorker('cpu-probe', iterations, 'tuple')).elapsedMs;
  const two = await Promise.all([startWorker('cpu-probe', iterations, 'tuple'), startWorker('cpu-probe', iterations, 'tuple')]);
  return (2 * one) / Math.max(two[0]!.elapsedMs, two[1]!.elapsedMs);
}

async function main(): Promise<void> {
  const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5_000_000);
  const repeats = Number(process.argv.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 3);
  const rows: Row[] = [];
  const coresBefore = await cpuProbe();
  for (const shape of ['object', 'tuple'] as Shape[]) {
    // warm-up run (JIT), not reported
    await twoWorkers('channel', Math.min(n, 200_000), shape);
    // Interleaved repeats, median reported: the machine is shared, single runs are noisy.
    const runs: Row[][] = [[], [], []];
    for (let k = 0; k < repeats; k++) {
      runs[0]!.push(await twoWorkers('channel', n, shape));
      runs[1]!.push(await twoWorkers('bare', n, shape));
      runs[2]!.push(await inThread(n, shape));
    }
    for (const r of runs) rows.push(median(r));
  }
  const lines = tableLines(rows);
  for (const shape of ['object', 'tuple'] as Shape[]) {
    const ch = rows.find((r) => r.shape === shape && r.scenario.startsWith('tsflink MessagePort'))!;
    const bare = rows.find((r) => r.shape === shape && r.scenario.startsWith('bare'))!;
    lines.push('');
    lines.push(`Ratio channel / bare (${shape}): **${fmt(ch.recordsPerSec / bare.recordsPerSec, 2)}×**`);
  }
  const coresAfter = await cpuProbe();
  lines.push('');
  lines.push(`Effective cores for two busy threads (CPU probe, 2.0 = two free cores): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.`);
  const table = lines.join('\n');
  console.log(table);

  if (process.argv.includes('--append')) {
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    let nproc = String(cpus().length);
    try {
      nproc = execSync('nproc').toString().trim();
    } catch {
      /* keep os.cpus() */
    }
    const date = execSync('date -u').toString().trim();
    const section = [
      '',
      `### Run ${date}`,
      '',
      `Machine: nproc ${nproc}, ${cpu}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}. ` +
        `bufferSize 32 KiB, buffersPerChannel 2, floatingBuffersPerGate 8, maxBuffersPerSubpartition 10. ` +
        `Load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work shares this machine). ` +
        'End-to-end time: first record emitted → last record decoded in the consumer.',
      '',
      table,
      '',
    ].join('\n');
    const file = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
    const header = '## B3 MessagePort channel';
    if (!existsSync(file)) writeFileSync(file, `# Benchmark results\n\n${header}\n`);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(header)) appendFileSync(file, `\n${header}\n`);
    insertIntoSection(file, header, section);
    console.log(`appended to ${file}`);
  }
}

/** Adds `section` at the end of the `## B3 …` section, leaving other sections untouched. */
function insertIntoSection(file: string, header: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(header);
  const nextHeader = text.indexOf('\n## ', start + header.length);
  const end = nextHeader === -1 ? text.length : nextHeader + 1;
  const before = text.slice(0, end).replace(/\n*$/, '\n');
  writeFileSync(file, before + section + (nextHeader === -1 ? '' : '\n' + text.slice(end)));
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
