import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel, Worker, type TransferListItem } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { TcpConnectionManager } from './TcpConnectionManager.js';
import { ShuffleEnvironment } from '../shuffle-environment.js';
import { drainGate } from '../test-util.js';
import type { PartitionLocation } from '../types.js';

// Two "TaskManagers" in this process: each is a TcpConnectionManager (in this, the main thread) plus slots
// that are real worker threads (tcp.harness.mjs over the bundled network module), wired as a TaskManager does.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundleDir = `${root}node_modules/.cache/tsflink-network-tcp-test`;
const bundlePath = `${bundleDir}/network.mjs`;
const harness = fileURLToPath(new URL('./tcp.harness.mjs', import.meta.url));
const config = { bufferSize: 32768, buffersPerChannel: 2, floatingBuffersPerGate: 8 };
const SECRET = 'test-cluster-secret';

beforeAll(async () => {
  mkdirSync(bundleDir, { recursive: true });
  await build({ entryPoints: [`${root}runtime/network/index.ts`], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundlePath, external: ['msgpackr'], logLevel: 'warning' });
});

interface Slot {
  worker: Worker;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, transfer?: TransferListItem[]): Promise<T>;
}

interface TM {
  id: string;
  mgr: TcpConnectionManager;
  port: number;
  slots: Slot[];
  logs: string[];
}

const workers: Worker[] = [];
const managers: TcpConnectionManager[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function startSlot(slotIndex: number, cfg: Record<string, unknown>): Promise<Slot> {
  const worker = new Worker(harness, { workerData: { bundlePath, slotIndex, config: cfg } });
  workers.push(worker);
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { ready?: boolean; reqId?: number; result?: unknown; error?: string }) => {
      if (m.ready) return resolve();
      const p = pending.get(m.reqId!);
      pending.delete(m.reqId!);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
  });
  return {
    worker,
    call<T>(cmd: string, args: Record<string, unknown> = {}, transfer: TransferListItem[] = []) {
      const reqId = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ ...args, cmd, reqId }, transfer);
      });
    },
  };
}

/** A TaskManager: data plane in this thread, `numSlots` worker-thread slots wired pairwise and to the uplink. */
async function startTM(id: string, numSlots: number, opts: { secret?: string; cfg?: Record<string, unknown> } = {}): Promise<TM> {
  const logs: string[] = [];
  const cfg = opts.cfg ?? config;
  const mgr = new TcpConnectionManager({ taskManagerId: id, secret: opts.secret ?? SECRET, bindHost: '127.0.0.1', bufferSize: cfg.bufferSize as number, log: (level, msg) => logs.push(`${level} ${msg}`) });
  managers.push(mgr);
  const { port } = await mgr.start();
  const slots = await Promise.all(Array.from({ length: numSlots }, (_, i) => startSlot(i, cfg)));
  for (let i = 0; i < numSlots; i++) {
    const up = mgr.attachSlot(i);
    await slots[i]!.call('uplink', { port: up }, [up]);
    for (let j = i + 1; j < numSlots; j++) {
      const ch = new MessageChannel();
      await slots[i]!.call('connect', { peer: j, port: ch.port1 }, [ch.port1]);
      await slots[j]!.call('connect', { peer: i, port: ch.port2 }, [ch.port2]);
    }
  }
  return { id, mgr, port, slots, logs };
}

const remote = (tm: TM, slotIndex: number): PartitionLocation => ({ kind: 'remote', taskManagerId: tm.id, host: '127.0.0.1', port: tm.port, slotIndex });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DrainResult {
  count: number;
  records: unknown[][] | null;
  events: [number, { type: string }][];
  error?: string;
  name?: string;
  timeout?: boolean;
}

describe('TCP channels between TaskManagers', () => {
  it('single-thread TaskManagers: a ShuffleEnvironment in the main thread attaches through a MessageChannel', async () => {
    const mk = async (id: string) => {
      const mgr = new TcpConnectionManager({ taskManagerId: id, secret: SECRET, bindHost: '127.0.0.1', log: () => undefined });
      managers.push(mgr);
      const { port } = await mgr.start();
      const env = new ShuffleEnvironment({ slotIndex: 0, config });
      env.setRemoteUplink(mgr.attachSlot(0));
      return { mgr, port, env };
    };
    const a = await mk('tm-a');
    const b = await mk('tm-b');
    const p = a.env.createResultPartition({ partitionId: 'p', numSubpartitions: 2, bufferTimeout: 5, owner: 'Producer' });
    const gate = b.env.createInputGate({ channels: [0, 1].map((s) => ({ partitionId: 'p', subpartition: s, location: { kind: 'remote', taskManagerId: 'tm-a', host: '127.0.0.1', port: a.port, slotIndex: 0 } as const })), owner: 'Consumer' });
    const drained = drainGate(gate);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      p.emitRecord(i & 1, { id: i, name: `n-${i % 100}` }, i);
      if (!p.isAvailable()) await p.getAvailableFuture();
    }
    p.broadcastEvent({ type: 'Watermark', timestamp: 42 });
    p.finish();
    const r = await drained;
    for (const c of [0, 1]) {
      const ids = (r.records[c] as { id: number }[]).map((v) => v.id);
      expect(ids.length).toBe(n / 2);
      for (let k = 0; k < ids.length; k++) if (ids[k] !== 2 * k + c) throw new Error(`channel ${c}: out of order at ${k}`);
      expect(r.timestamps[c]![7]).toBe(14 + c);
      expect(r.sequence[c]!.slice(-2)).toEqual([['e', 'Watermark'], ['e', 'EndOfPartition']]);
    }
    expect(a.mgr.getStats().connections).toBe(1);
    gate.close();
    a.env.close();
    b.env.close();
  });
});
