// B5 — TCP channel throughput between two TaskManagers (each in its own worker thread).
//
//   npx tsc -p tsconfig.json && node dist/bench/network-tcp.js [records=5000000] [--repeat=5] [--kinds=channel,bare,slots] [--write]
//
// Scenarios (same records, same msgpackr buffer serializer, same 32 KiB buffers, consumer decodes every record):
//   channel  tsflink: ResultPartition → uplink → TcpConnectionManager → TCP (authenticated) → TcpConnectionManager
//            → uplink → SingleInputGate, credit-based, buffers recycled. Each side is a single-thread TaskManager
//            (data plane and slot in one worker thread), so both scenarios use one thread per side.
//   bare     the same serialized buffers, length-prefixed, piped through a bare net.Socket (write/drain), the
//            reader reassembles and decodes them. No authentication, no flow control beyond TCP's.
//   tls      the channel scenario with security.ssl.internal.enabled: TLS with client certificates (one self-signed
//            certificate, generated with openssl for the run), the secret handshake inside. Ratio tls / channel = TLS's cost.
// --write replaces the "## B5 TCP channel" section of bench/RESULTS.md.
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createServer, connect, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setInternalTls } from '../runtime/security/InternalTlsContext.js';
import { fileURLToPath } from 'node:url';
import { ShuffleEnvironment, TcpConnectionManager } from '../runtime/network/index.js';
import { RecordBufferBuilder } from '../runtime/network/RecordBufferBuilder.js';
import { RecordDeserializer } from '../runtime/network/RecordDeserializer.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { machineLine, median, writeResultsSection } from './machine.js';
import { BENCH_NETWORK_CONFIG as config, consumeRecords, makeRecord, produceRecords, tableLines, touch, type Row, type Shape } from './channel-driver.js';

type Kind = 'channel' | 'slots' | 'bare' | 'tls';
type Role = `${Kind}-producer` | `${Kind}-consumer` | 'slot-producer' | 'slot-consumer';
const SECRET = 'b5-bench-secret';

interface WorkerArgs {
  role: Role;
  n: number;
  shape: Shape;
  /** The producer's port (consumers). */
  port?: number;
  /** Slot workers of the 'slots' scenario: the uplink from their TaskManager thread. */
  uplink?: MessagePort;
  /** 'tls' scenario: PEM key + certificate of the run's self-signed certificate. */
  tls?: { keyAndCert: string; cert: string };
}

interface WorkerResult {
  records: number;
  bytes: number;
  startedAt: number;
  endedAt: number;
  note?: string;
}

type ToWorker = { type: 'go' } | { type: 'stop' };
type FromWorker = { type: 'ready'; port?: number } | { type: 'result'; result: WorkerResult };

// ---------------------------------------------------------------- worker side

function onMain(handler: (m: ToWorker) => void): void {
  parentPort!.on('message', handler);
}
const waitFor = (type: ToWorker['type']): Promise<void> =>
  new Promise((resolve) => {
    const h = (m: ToWorker): void => {
      if (m.type === type) {
        parentPort!.off('message', h);
        resolve();
      }
    };
    onMain(h);
  });
const post = (m: FromWorker): void => parentPort!.postMessage(m);
const now = (): number => performance.timeOrigin + performance.now();

/** A slot's network: its own single-thread TaskManager, or (slot worker) the uplink from its TaskManager thread. */
async function slotNetwork(args: WorkerArgs, taskManagerId: string): Promise<{ env: ShuffleEnvironment; mgr: TcpConnectionManager | null; port?: number }> {
  const env = new ShuffleEnvironment({ slotIndex: 0, config });
  if (args.uplink !== undefined) {
    env.setRemoteUplink(args.uplink);
    return { env, mgr: null };
  }
  const mgr = new TcpConnectionManager({ taskManagerId, secret: SECRET, bindHost: '127.0.0.1', bufferSize: config.bufferSize, log: () => undefined });
  const { port } = await mgr.start();
  env.setRemoteUplink(mgr.attachLocalSlot(0));
  return { env, mgr, port };
}

/** 'slots' scenario: this thread is the TaskManager's main thread (data plane), the task runs in a slot worker. */
async function taskManagerWithSlot(args: WorkerArgs, producer: boolean): Promise<void> {
  const mgr = new TcpConnectionManager({ taskManagerId: producer ? 'tm-producer' : 'tm-consumer', secret: SECRET, bindHost: '127.0.0.1', bufferSize: config.bufferSize, log: () => undefined });
  const { port } = await mgr.start();
  const uplink = mgr.attachSlot(0);
  const slot = new Worker(fileURLToPath(import.meta.url), { workerData: { ...args, role: producer ? 'slot-producer' : 'slot-consumer', uplink }, transferList: [uplink] });
  slot.on('message', (m: FromWorker) => post(m.type === 'ready' && producer ? { type: 'ready', port } : m));
  slot.on('error', (e) => {
    console.error(e);
    process.exit(1);
  });
  onMain((m) => slot.postMessage(m));
}

/** 'tls' scenario: this thread's data plane (TcpServer/TcpClient) uses TLS with client certificates. */
function useTls(args: WorkerArgs): void {
  if (args.tls === undefined) return;
  const pem = Buffer.from(args.tls.keyAndCert);
  setInternalTls({ key: pem, cert: pem, ca: Buffer.from(args.tls.cert), minVersion: 'TLSv1.2' });
}

async function channelProducer(args: WorkerArgs): Promise<void> {
  useTls(args);
  const { env, mgr, port } = await slotNetwork(args, 'tm-producer');
  const p = env.createResultPartition({ partitionId: 'b5', numSubpartitions: 1, bufferTimeout: 100, owner: 'B5 source' });
  const go = waitFor('go');
  post({ type: 'ready', port });
  await go;
  const stop = waitFor('stop');
  const t0 = now();
  await produceRecords(p, args.n, args.shape);
  p.finish();
  post({ type: 'result', result: { records: p.numRecordsOut, bytes: p.numBytesOut, startedAt: t0, endedAt: now(), note: `${env.pool.numAllocated} producer ArrayBuffers` } });
  await stop;
  env.close();
  await mgr?.close();
}

async function channelConsumer(args: WorkerArgs): Promise<void> {
  useTls(args);
  const { env, mgr } = await slotNetwork(args, 'tm-consumer');
  const gate = env.createInputGate({ channels: [{ partitionId: 'b5', subpartition: 0, location: { kind: 'remote', taskManagerId: 'tm-producer', host: '127.0.0.1', port: args.port!, slotIndex: 0 } }], owner: 'B5 sink' });
  post({ type: 'ready' });
  const { records } = await consumeRecords(gate, args.shape);
  const endedAt = now();
  const note = mgr !== null ? `${mgr.getStats().receiveBuffersAllocated} receive ArrayBuffers` : '';
  post({ type: 'result', result: { records, bytes: gate.numBytesIn, startedAt: 0, endedAt, note } });
  gate.close();
  env.close();
  await mgr?.close();
}

async function bareProducer(args: WorkerArgs): Promise<void> {
  const server = createServer({ noDelay: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const sockP = new Promise<Socket>((r) => server.once('connection', r));
  post({ type: 'ready', port: typeof addr === 'object' && addr !== null ? addr.port : 0 });
  const sock = await sockP;
  await waitFor('go');
  let bytes = 0;
  let blocked = false;
  const scratch = new ArrayBuffer(config.bufferSize);
  const builder = new RecordBufferBuilder(
    config.bufferSize,
    {
      acquireBuffer: () => scratch,
      onBufferFinished: (b) => {
        // the same serialized buffer, length-prefixed, copied once into the socket write (as the channel does)
        const frame = Buffer.allocUnsafe(4 + b.length);
        frame.writeUInt32BE(b.length, 0);
        frame.set(new Uint8Array(b.buffer, 0, b.length), 4);
        bytes += b.length;
        sock.write(frame);
        // let up to 8 buffers queue in the socket (the channel has 10 credits in flight), then wait for drain
        if (sock.writableLength > 8 * config.bufferSize) blocked = true;
      },
    },
    () => 'B5 bare source',
  );
  const t0 = now();
  for (let i = 0; i < args.n; i++) {
    builder.add(makeRecord(i, args.shape), undefined);
    if (blocked) {
      await new Promise((r) => sock.once('drain', r));
      blocked = false;
    }
  }
  builder.finish();
  const end = Buffer.alloc(4); // length 0 = end of stream
  sock.end(end);
  post({ type: 'result', result: { records: args.n, bytes, startedAt: t0, endedAt: now() } });
  await waitFor('stop');
  server.close();
}

async function bareConsumer(args: WorkerArgs): Promise<void> {
  const sock = connect({ host: '127.0.0.1', port: args.port!, noDelay: true });
  await new Promise((r) => sock.once('connect', r));
  post({ type: 'ready' });
  const de = new RecordDeserializer();
  let records = 0;
  let bytes = 0;
  let sink = 0;
  // reassemble length-prefixed buffers from the stream (copy into one reused ArrayBuffer), decode each
  const hdr = Buffer.alloc(4);
  let hdrHave = 0;
  let dest = new Uint8Array(config.bufferSize * 4);
  let need = -1;
  let have = 0;
  const result = await new Promise<WorkerResult>((resolve) => {
    sock.on('data', (chunk: Buffer) => {
      let off = 0;
      while (off < chunk.length) {
        if (need < 0) {
          const take = Math.min(4 - hdrHave, chunk.length - off);
          chunk.copy(hdr, hdrHave, off, off + take);
          hdrHave += take;
          off += take;
          if (hdrHave < 4) return;
          hdrHave = 0;
          need = hdr.readUInt32BE(0);
          have = 0;
          if (need === 0) {
            if (sink === -1) console.log(sink);
            resolve({ records, bytes, startedAt: 0, endedAt: now() });
            return;
          }
          if (need > dest.length) dest = new Uint8Array(need);
        }
        const take = Math.min(need - have, chunk.length - off);
        dest.set(chunk.subarray(off, off + take), have);
        have += take;
        off += take;
        if (have === need) {
          const { values } = de.decode(dest.buffer as ArrayBuffer, need);
          records += values.length;
          bytes += need;
          sink += touch(values, args.shape);
          need = -1;
        }
      }
    });
  });
  post({ type: 'result', result });
  sock.destroy();
}

if (!isMainThread) {
  const args = workerData as WorkerArgs;
  const run = {
    'channel-producer': channelProducer,
    'channel-consumer': channelConsumer,
    'slot-producer': channelProducer,
    'slot-consumer': channelConsumer,
    'tls-producer': channelProducer,
    'tls-consumer': channelConsumer,
    'slots-producer': (a: WorkerArgs) => taskManagerWithSlot(a, true),
    'slots-consumer': (a: WorkerArgs) => taskManagerWithSlot(a, false),
    'bare-producer': bareProducer,
    'bare-consumer': bareConsumer,
  }[args.role];
  run(args).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

// ---------------------------------------------------------------- main thread

class W {
  readonly worker: Worker;
  private readonly queue: FromWorker[] = [];
  private waiter: ((m: FromWorker) => void) | null = null;
  constructor(args: WorkerArgs) {
    this.worker = new Worker(fileURLToPath(import.meta.url), { workerData: args });
    this.worker.on('message', (m: FromWorker) => {
      const w = this.waiter;
      if (w !== null) {
        this.waiter = null;
        w(m);
      } else this.queue.push(m);
    });
    this.worker.on('error', (e) => {
      console.error(e);
      process.exit(1);
    });
  }
  next(): Promise<FromWorker> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((r) => (this.waiter = r));
  }
  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}

const SCENARIO: Record<Kind, string> = {
  channel: 'tsflink TCP channel, single-thread TaskManagers',
  slots: 'tsflink TCP channel, worker-thread slots',
  bare: 'bare net.Socket, same buffers',
  tls: 'tsflink TCP channel over TLS, single-thread TaskManagers',
};

/** A self-signed certificate for the 'tls' scenario (openssl, as an operator would make one). */
function selfSignedCertificate(): { keyAndCert: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-b5-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=tsflink-b5'], { stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
    return { keyAndCert: readFileSync(join(dir, 'k.pem'), 'utf8') + cert, cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let certificate: { keyAndCert: string; cert: string } | undefined;

async function run(kind: Kind, n: number, shape: Shape): Promise<Row> {
  const tls = kind === 'tls' ? (certificate ??= selfSignedCertificate()) : undefined;
  const prod = new W({ role: `${kind}-producer`, n, shape, ...(tls ? { tls } : {}) });
  const ready = await prod.next();
  if (ready.type !== 'ready') throw new Error('producer not ready');
  const cons = new W({ role: `${kind}-consumer`, n, shape, port: ready.port, ...(tls ? { tls } : {}) });
  if ((await cons.next()).type !== 'ready') throw new Error('consumer not ready');
  await new Promise((r) => setTimeout(r, 100)); // connection + handshake settled
  prod.send({ type: 'go' });
  const [p, c] = await Promise.all([prod.next(), cons.next()]);
  if (p.type !== 'result' || c.type !== 'result') throw new Error('no result');
  prod.send({ type: 'stop' });
  const pr = p.result;
  const cr = c.result;
  if (cr.records !== n) throw new Error(`${kind}: consumer saw ${cr.records} of ${n} records`);
  const seconds = (cr.endedAt - pr.startedAt) / 1000;
  await new Promise((r) => setTimeout(r, 200));
  await Promise.all([prod.worker.terminate(), cons.worker.terminate()]);
  return {
    scenario: SCENARIO[kind],
    shape,
    records: n,
    seconds,
    recordsPerSec: n / seconds,
    mbPerSec: cr.bytes / seconds / 1e6,
    note:
      kind === 'channel' || kind === 'tls'
        ? `2 threads; ${kind === 'tls' ? 'TLS (client certificates), ' : ''}${pr.note}, ${cr.note} for ${Math.round(cr.bytes / config.bufferSize)}+ buffers`
        : kind === 'slots'
          ? '4 threads (TaskManager main + slot worker per side)'
          : '2 threads; length-prefixed buffers, write/drain, no auth, no credits',
  };
}

function medianRow(rows: Row[]): Row {
  const m = median(rows.map((r) => r.recordsPerSec));
  const row = rows.find((r) => r.recordsPerSec === m)!;
  return { ...row, note: `${row.note}; median of ${rows.length}: ${rows.map((r) => `${(r.recordsPerSec / 1e6).toFixed(2)}M`).join(' / ')} rec/s` };
}

async function main(): Promise<void> {
  const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5_000_000);
  const repeats = Number(process.argv.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 5);
  const only = process.argv.find((a) => a.startsWith('--kinds='))?.slice(8).split(',') as Kind[] | undefined;
  const kinds: Kind[] = only ?? ['channel', 'bare', 'slots', 'tls'];
  if (!kinds.includes('bare')) throw new Error('--kinds must include bare (the reference)');
  const rows: Row[] = [];
  const ratios: string[] = [];
  for (const shape of ['object', 'tuple'] as Shape[]) {
    for (const k of kinds) await run(k, Math.min(n, 200_000), shape); // warm-up (not reported)
    const byKind = new Map<Kind, Row[]>(kinds.map((k) => [k, []]));
    for (let i = 0; i < repeats; i++) {
      // alternate, so load on the shared machine hits every scenario alike
      const line: string[] = [];
      for (const k of kinds) {
        const r = await run(k, n, shape);
        byKind.get(k)!.push(r);
        line.push(`${k} ${(r.recordsPerSec / 1e6).toFixed(2)}M`);
      }
      console.log(`${shape} #${i + 1}: ${line.join(', ')} rec/s`);
    }
    const med = new Map<Kind, Row>(kinds.map((k) => [k, medianRow(byKind.get(k)!)]));
    for (const k of kinds) rows.push(med.get(k)!);
    const bare = med.get('bare')!.recordsPerSec;
    if (med.has('channel')) {
      const perRun = byKind.get('channel')!.map((r, i) => (r.recordsPerSec / byKind.get('bare')![i]!.recordsPerSec).toFixed(2)).join(' / ');
      ratios.push(`Ratio channel / bare socket (${shape}), medians: **${(med.get('channel')!.recordsPerSec / bare).toFixed(2)}×** (target ≥ 0.8×; per alternating pair: ${perRun})`);
    }
    if (med.has('tls') && med.has('channel')) {
      const perRun = byKind.get('tls')!.map((r, i) => (r.recordsPerSec / byKind.get('channel')![i]!.recordsPerSec).toFixed(2)).join(' / ');
      ratios.push(`Ratio TLS channel / plain channel (${shape}), medians: **${(med.get('tls')!.recordsPerSec / med.get('channel')!.recordsPerSec).toFixed(2)}×** (per alternating pair: ${perRun})`);
    }
    if (med.has('slots')) ratios.push(`Ratio worker-thread slots / bare socket (${shape}), medians: ${(med.get('slots')!.recordsPerSec / bare).toFixed(2)}×`);
  }
  const lines = tableLines(rows);
  const table = [...lines, '', ...ratios.flatMap((r) => [r, ''])].join('\n');
  console.log(table);
  if (process.argv.includes('--write')) {
    const body = [
      `Run ${new Date().toISOString()}. ${machineLine()}`,
      '',
      'One channel between two TaskManagers over 127.0.0.1, each TaskManager in its own worker thread of one process; connection',
      'authenticated with the cluster secret. *single-thread TaskManagers*: the TcpConnectionManager and the slot\'s ShuffleEnvironment',
      'share the thread (`attachLocalSlot`), so tsflink and the bare socket both use one thread per side. *worker-thread slots*: the',
      'TaskManager thread runs the TcpConnectionManager, the task runs in a slot worker behind an `attachSlot` MessagePort (the',
      '`tsflink taskmanager` layout; 4 threads on this 2-core machine). *bare*: the same serialized buffers, length-prefixed, written',
      'to a plain net.Socket (up to 8 buffers queued in the socket before waiting for `drain`), reassembled and decoded by the reader.',
      '*over TLS*: the single-thread channel with `security.ssl.internal.enabled` (TLS with client certificates from one self-signed',
      'RSA-2048 certificate, Node\'s default cipher suite, the secret handshake inside).',
      'bufferSize 32 KiB, buffersPerChannel 2, floatingBuffersPerGate 8, maxBuffersPerSubpartition 10. End-to-end time: first record',
      `emitted → last record decoded in the consumer; median of ${repeats} alternating runs.`,
      '',
      table,
    ].join('\n');
    writeResultsSection(packageRoot(), 'B5 TCP channel', body);
    console.log('wrote the B5 section of bench/RESULTS.md');
  }
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
