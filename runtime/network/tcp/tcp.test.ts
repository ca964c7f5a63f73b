import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { connect } from 'node:net';
import { TcpConnectionManager } from './TcpConnectionManager.js';
import { ShuffleEnvironment } from '../ShuffleEnvironment.js';
import { drainGate } from '../drainGate.js';
import { SLOT_TEST_CONFIG as config, WorkerSlots, type DrainResult, type Slot } from '../WorkerSlots.js';
import type { PartitionLocation } from '../InputChannelDescriptor.js';

// Two "TaskManagers" in this process: each is a TcpConnectionManager (in this, the main thread) plus slots
// that are real worker threads (../slotHarness.mjs over the bundled network module), wired as a TaskManager does.
const SECRET = 'test-cluster-secret';
const slotWorkers = new WorkerSlots('tsflink-network-tcp-test');
beforeAll(() => slotWorkers.bundle());

interface TM {
  id: string;
  mgr: TcpConnectionManager;
  port: number;
  slots: Slot[];
  logs: string[];
}

const managers: TcpConnectionManager[] = [];
afterEach(async () => {
  await slotWorkers.terminateAll();
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A TaskManager: data plane in this thread, `numSlots` worker-thread slots wired pairwise and to the uplink. */
async function startTM(id: string, numSlots: number, opts: { secret?: string; cfg?: Record<string, unknown> } = {}): Promise<TM> {
  const logs: string[] = [];
  const cfg = opts.cfg ?? config;
  const mgr = new TcpConnectionManager({ taskManagerId: id, secret: opts.secret ?? SECRET, bindHost: '127.0.0.1', bufferSize: cfg.bufferSize as number, log: (level, msg) => logs.push(`${level} ${msg}`) });
  managers.push(mgr);
  const { port } = await mgr.start();
  const slots = await Promise.all(Array.from({ length: numSlots }, (_, i) => slotWorkers.start(i, cfg)));
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

describe('TCP channels between TaskManagers', () => {
  it('single-thread TaskManagers: ShuffleEnvironments in the main thread attach in-thread or through a MessageChannel', async () => {
    const mk = async (id: string, local: boolean) => {
      const mgr = new TcpConnectionManager({ taskManagerId: id, secret: SECRET, bindHost: '127.0.0.1', log: () => undefined });
      managers.push(mgr);
      const { port } = await mgr.start();
      const env = new ShuffleEnvironment({ slotIndex: 0, config });
      env.setRemoteUplink(local ? mgr.attachLocalSlot(0) : mgr.attachSlot(0));
      return { mgr, port, env };
    };
    const a = await mk('tm-a', true);
    const b = await mk('tm-b', false);
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

  it('after the data plane detached a slot, its remote channels fail instead of waiting', async () => {
    for (const local of [true, false]) {
      const mgr = new TcpConnectionManager({ taskManagerId: 'tm-b', secret: SECRET, bindHost: '127.0.0.1', log: () => undefined });
      managers.push(mgr);
      await mgr.start();
      const env = new ShuffleEnvironment({ slotIndex: 0, config });
      env.setRemoteUplink(local ? mgr.attachLocalSlot(0) : mgr.attachSlot(0));
      const loc = { kind: 'remote', taskManagerId: 'tm-a', host: '127.0.0.1', port: 1, slotIndex: 0 } as const;
      const before = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: loc }], owner: 'Before' });
      await sleep(20);
      mgr.detachSlot(0, 'slot 0 of TaskManager tm-b was detached (test)');
      await sleep(20);
      const after = env.createInputGate({ channels: [{ partitionId: 'q', subpartition: 0, location: loc }], owner: 'After' });
      await expect(drainGate(before, { timeoutMs: 5000 })).rejects.toThrow(/Before: input channel 0 .*via TaskManager tm-a/); // refused or detached, whichever first
      await expect(drainGate(after, { timeoutMs: 5000 })).rejects.toThrow(/After: input channel 0 .*uplink closed/);
      env.close();
    }
  });

  it('all-to-all between two TaskManagers of two worker-thread slots: counts and per-channel order', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 2), startTM('tm-b', 2)]);
    const tms = [a, b];
    // every slot produces one partition with 4 subpartitions; consumer k (tm k>>1, slot k&1) reads subpartition k of all 4
    for (const tm of tms) for (let s = 0; s < 2; s++) await tm.slots[s]!.call('createPartition', { partitionId: `p-${tm.id}-${s}`, numSubpartitions: 4, bufferTimeout: 5 });
    const drains: Promise<DrainResult>[] = [];
    for (let k = 0; k < 4; k++) {
      const tm = tms[k >> 1]!;
      const slot = k & 1;
      const channels = [];
      for (const ptm of tms) {
        for (let ps = 0; ps < 2; ps++) {
          const location: PartitionLocation = ptm !== tm ? remote(ptm, ps) : ps === slot ? { kind: 'local' } : { kind: 'slot', slotIndex: ps };
          channels.push({ partitionId: `p-${ptm.id}-${ps}`, subpartition: k, location });
        }
      }
      await tm.slots[slot]!.call('createGate', { gateId: 'g', channels });
      drains.push(tm.slots[slot]!.call<DrainResult>('drain', { gateId: 'g', collect: true, timeoutMs: 40_000 }));
    }
    const n = 200_000;
    await Promise.all(tms.flatMap((tm) => tm.slots.map((sl, s) => sl.call('produce', { partitionId: `p-${tm.id}-${s}`, count: n, kind: s === 0 ? 'object' : 'tuple', subpartition: 'rr', finish: true }))));
    const results = await Promise.all(drains);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.timeout).toBeUndefined();
      expect(r.count).toBe(n); // 4 producers × n/4
      for (const [c, ch] of r.records!.entries()) {
        expect(ch.length).toBe(n / 4);
        const ids = ch.map((v) => (Array.isArray(v) ? v[1] : (v as { id: number }).id)) as number[];
        for (let k = 1; k < ids.length; k++) if (ids[k] !== ids[k - 1]! + 4) throw new Error(`channel ${c} out of order at ${k}: ${ids[k - 1]} then ${ids[k]}`);
      }
    }
    // one connection per TaskManager pair, carrying streams both ways (a duplicate from a simultaneous open is retired)
    for (let i = 0; i < 50 && a.mgr.getStats().connections + b.mgr.getStats().connections > 2; i++) await sleep(20);
    expect(a.mgr.getStats().connections).toBe(1);
    expect(b.mgr.getStats().connections).toBe(1);
    expect(a.mgr.getStats().bytesReceived).toBeGreaterThan(1e6);
    expect(a.mgr.getStats().bytesSent).toBeGreaterThan(1e6);
    // receive buffers come back from the consumer slots with the credit
    expect(b.mgr.getStats().receiveBuffersAllocated).toBeLessThan(200);
    // every stream ended: no routes left behind
    expect(a.mgr.getStats().streams).toBe(0);
    expect(b.mgr.getStats().streams).toBe(0);
  });

  it('both TaskManagers dialling each other at once end up on one connection; streams on the duplicate finish first', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await Promise.all([a, b].map((tm) => tm.slots[0]!.call('createPartition', { partitionId: `p-${tm.id}`, numSubpartitions: 2, bufferTimeout: 1 })));
    // both consumers request at the same moment: both sides dial
    await Promise.all([
      a.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p-tm-b', subpartition: 0, location: remote(b, 0) }] }),
      b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p-tm-a', subpartition: 0, location: remote(a, 0) }] }),
    ]);
    const drains = [a, b].map((tm) => tm.slots[0]!.call<DrainResult>('drain', { gateId: 'g', timeoutMs: 20_000 }));
    await Promise.all([a, b].map((tm) => tm.slots[0]!.call('produce', { partitionId: `p-${tm.id}`, count: 20_000, kind: 'tuple', subpartition: 0 })));
    await sleep(50);
    // a second round of streams goes over the surviving connection only
    await Promise.all([
      a.slots[0]!.call('createGate', { gateId: 'g2', channels: [{ partitionId: 'p-tm-b', subpartition: 1, location: remote(b, 0) }] }),
      b.slots[0]!.call('createGate', { gateId: 'g2', channels: [{ partitionId: 'p-tm-a', subpartition: 1, location: remote(a, 0) }] }),
    ]);
    const drains2 = [a, b].map((tm) => tm.slots[0]!.call<DrainResult>('drain', { gateId: 'g2', timeoutMs: 20_000 }));
    await Promise.all([a, b].map((tm) => tm.slots[0]!.call('produce', { partitionId: `p-${tm.id}`, count: 20_000, kind: 'tuple', subpartition: 1, finish: true })));
    for (const r of [...(await Promise.all(drains)), ...(await Promise.all(drains2))]) {
      expect(r.error).toBeUndefined();
      expect(r.count).toBe(20_000);
    }
    for (let i = 0; i < 50 && a.mgr.getStats().connections + b.mgr.getStats().connections > 2; i++) await sleep(20);
    expect(a.mgr.getStats().connections).toBe(1);
    expect(b.mgr.getStats().connections).toBe(1);
    const dup = b.logs.filter((l) => /closing duplicate data connection to TaskManager tm-a/.test(l)).length;
    expect(dup).toBeLessThanOrEqual(1); // 1 when the dials crossed (usual here), 0 when one side's HELLO came first
  });

  it('events stay in order with records over TCP', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 2, bufferTimeout: 7 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [0, 1].map((s) => ({ partitionId: 'p', subpartition: s, location: remote(a, 0) })) });
    const drained = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g', collect: true });
    const events = [
      { type: 'Watermark', timestamp: 1000 },
      { type: 'CheckpointBarrier', checkpointId: 1, timestamp: 5, unaligned: false, savepoint: false },
      { type: 'WatermarkStatus', idle: true },
      { type: 'EndOfData', drain: true },
    ];
    let next = 0;
    for (const ev of events) {
      await a.slots[0]!.call('produce', { partitionId: 'p', values: Array.from({ length: 5000 }, (_, i) => next + i), subpartition: 'rr' });
      next += 5000;
      await a.slots[0]!.call('event', { partitionId: 'p', event: ev });
    }
    await a.slots[0]!.call('finish', { partitionId: 'p' });
    const r = await drained;
    expect(r.error).toBeUndefined();
    for (let c = 0; c < 2; c++) {
      expect(r.events.filter(([ch]) => ch === c).map(([, e]) => e)).toEqual([...events, { type: 'EndOfPartition' }]);
      expect(r.records![c]).toEqual(Array.from({ length: 10_000 }, (_, k) => 2 * k + c));
    }
  });

  it('the buffer timeout flushes partly filled buffers over TCP', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 20 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    await sleep(100); // connection established
    // a few records, far from a full buffer, no flush, no finish: only the flusher timer can send them
    const produce = { partitionId: 'p', values: ['a', 'b', 'c'], subpartition: 0, ignoreBackpressure: true };
    await a.slots[0]!.call('produce', { ...produce, noFlush: true });
    const t0 = Date.now();
    let got: string | null = null;
    while (got === null && Date.now() - t0 < 5000) {
      got = await b.slots[0]!.call<string | null>('pollOnce', { gateId: 'g' });
      if (got === null) await sleep(5);
    }
    expect(got).toBe('records');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a congested channel does not stall another channel on the same TCP connection', async () => {
    const cfg = { ...config, maxBuffersPerSubpartition: 1_000_000 };
    const [a, b] = await Promise.all([startTM('tm-a', 1, { cfg }), startTM('tm-b', 1, { cfg })]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 2, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'stuck', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    await b.slots[0]!.call('createGate', { gateId: 'fast', channels: [{ partitionId: 'p', subpartition: 1, location: remote(a, 0) }] });
    const fast = b.slots[0]!.call<DrainResult>('drain', { gateId: 'fast', timeoutMs: 30_000 });
    // the writer ignores isAvailable(): subpartition 0 queues up at the producer, subpartition 1 must flow
    await a.slots[0]!.call('produce', { partitionId: 'p', count: 200_000, kind: 'object', subpartition: 0, ignoreBackpressure: true });
    await a.slots[0]!.call('produce', { partitionId: 'p', count: 200_000, kind: 'tuple', subpartition: 1, ignoreBackpressure: true, finish: true });
    const r = await fast;
    expect(r.timeout).toBeUndefined();
    expect(r.error).toBeUndefined();
    expect(r.count).toBe(200_000);
    expect(a.mgr.getStats().connections).toBe(1);
    // the stuck channel holds only what its credit allowed: receive buffers are bounded by the two gates' credits
    expect(b.mgr.getStats().receiveBuffersAllocated).toBeLessThanOrEqual(2 * (2 + 8));
    expect(await b.slots[0]!.call('pollOnce', { gateId: 'stuck' })).toBe('records');
    // and it is not lost: draining it now gets everything
    const stuck = await b.slots[0]!.call<DrainResult>('drain', { gateId: 'stuck', timeoutMs: 30_000 });
    expect(stuck.error).toBeUndefined();
    expect(stuck.count).toBeGreaterThan(190_000); // minus the one buffer polled above
  });

  it('backpressure over TCP: a consumer that does not poll makes the remote producer unavailable, memory stays bounded', async () => {
    const cfg = { ...config, maxBuffersPerSubpartition: 4 };
    const [a, b] = await Promise.all([startTM('tm-a', 1, { cfg }), startTM('tm-b', 1, { cfg })]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    const produced = a.slots[0]!.call<{ unavailable: number }>('produce', { partitionId: 'p', count: 300_000, kind: 'object', subpartition: 0, finish: true });
    await sleep(500);
    const st = await a.slots[0]!.call<{ available: boolean; poolAllocated: number }>('status', { partitionId: 'p' });
    expect(st.available).toBe(false);
    expect(st.poolAllocated).toBeLessThanOrEqual(2 + 8 + 5 + 4);
    expect(b.mgr.getStats().receiveBuffersAllocated).toBeLessThanOrEqual(2 + 8);
    const drained = await b.slots[0]!.call<DrainResult>('drain', { gateId: 'g' });
    expect(drained.count).toBe(300_000);
    expect((await produced).unavailable).toBeGreaterThan(0);
  });

  it('a wrong cluster secret: the connection is refused and logged, no data is delivered', async () => {
    const [a, evil] = await Promise.all([startTM('tm-a', 1), startTM('tm-evil', 1, { secret: 'not-the-secret' })]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1 });
    await a.slots[0]!.call('produce', { partitionId: 'p', values: ['secret data'], subpartition: 0, finish: true });
    await evil.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    const r = await evil.slots[0]!.call<DrainResult>('drain', { gateId: 'g', collect: true, timeoutMs: 15_000 });
    expect(r.count).toBe(0);
    expect(r.name).toBe('ChannelError');
    expect(r.error).toMatch(/TaskManager tm-a \(127\.0\.0\.1:\d+/);
    expect(a.logs.some((l) => /WARN refused data connection from 127\.0\.0\.1:\d+: .*wrong cluster secret/.test(l))).toBe(true);
    expect(a.mgr.getStats().authFailures).toBe(1);
    expect(a.mgr.getStats().connections).toBe(0);
  });

  it('a closed peer TaskManager fails the consumers with an error naming it; new streams reconnect', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    const drained = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g' });
    await a.slots[0]!.call('produce', { partitionId: 'p', count: 10, kind: 'tuple', subpartition: 0 });
    await sleep(100);
    a.mgr.closeConnection('tm-b'); // as if the network dropped
    const r = await drained;
    expect(r.name).toBe('ChannelError');
    expect(r.error).toMatch(/connection to TaskManager tm-a \(127\.0\.0\.1:\d+\) lost/);
    // reconnect on demand for a new stream
    await a.slots[0]!.call('createPartition', { partitionId: 'p2', numSubpartitions: 1, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'g2', channels: [{ partitionId: 'p2', subpartition: 0, location: remote(a, 0) }] });
    const drained2 = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g2', collect: true });
    await a.slots[0]!.call('produce', { partitionId: 'p2', values: [1, 2, 3], subpartition: 0, finish: true });
    expect((await drained2).records).toEqual([[1, 2, 3]]);
    // now the whole TaskManager goes away
    await a.slots[0]!.call('createPartition', { partitionId: 'p3', numSubpartitions: 1, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'g3', channels: [{ partitionId: 'p3', subpartition: 0, location: remote(a, 0) }] });
    const drained3 = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g3' });
    await sleep(100);
    await a.slots[0]!.worker.terminate();
    await a.mgr.close();
    const r3 = await drained3;
    expect(r3.name).toBe('ChannelError');
    // either the slot's death reaches B first (tm-a reports it) or the closed connection does: both name tm-a
    expect(r3.error).toMatch(/TaskManager tm-a \(127\.0\.0\.1:\d+.*(slot 0 of TaskManager tm-a went away|connection to TaskManager tm-a \(127\.0\.0\.1:\d+\) lost)/);
  });

  it('release(cause) in the remote producer fails the consumer with the cause; a cancelled consumer stops the remote stream', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 2, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    await b.slots[0]!.call('createGate', { gateId: 'cancelled', channels: [{ partitionId: 'p', subpartition: 1, location: remote(a, 0) }] });
    const drained = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g' });
    await a.slots[0]!.call('produce', { partitionId: 'p', count: 10, kind: 'tuple', subpartition: 0 });
    await sleep(100);
    expect(a.mgr.getStats().streams).toBe(2);
    await b.slots[0]!.call('closeGate', { gateId: 'cancelled' });
    await sleep(100);
    expect(a.mgr.getStats().streams).toBe(1);
    expect(b.mgr.getStats().streams).toBe(1);
    await a.slots[0]!.call('release', { partitionId: 'p', cause: 'upstream task failed: disk on fire' });
    const r = await drained;
    expect(r.name).toBe('ChannelError');
    expect(r.error).toMatch(/via TaskManager tm-a .*partition p .*disk on fire/);
    await sleep(50);
    expect(a.mgr.getStats().streams).toBe(0);
    expect(b.mgr.getStats().streams).toBe(0);
  });

  it('a peer that sends garbage (more than a handshake, wrong secret) is refused and logged; the TaskManager keeps serving', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    const sock = connect({ host: '127.0.0.1', port: a.port });
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.resume();
    sock.write(Buffer.alloc(500, 7)); // the handshake reply plus protocol-looking bytes, all in one segment
    await new Promise((r) => sock.once('close', r));
    expect(a.logs.some((l) => /WARN refused data connection from 127\.0\.0\.1:\d+: .*wrong cluster secret/.test(l))).toBe(true);
    // still serving authenticated peers
    await a.slots[0]!.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1 });
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 0) }] });
    const drained = b.slots[0]!.call<DrainResult>('drain', { gateId: 'g', collect: true });
    await a.slots[0]!.call('produce', { partitionId: 'p', values: ['ok'], subpartition: 0, finish: true });
    expect((await drained).records).toEqual([['ok']]);
  });

  it('an unreachable TaskManager fails the channel with an error naming it', async () => {
    const b = await startTM('tm-b', 1);
    const gone = { id: 'tm-gone', port: 1, mgr: b.mgr, slots: [], logs: [] } as TM; // nothing listens on port 1
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(gone, 0) }] });
    const r = await b.slots[0]!.call<DrainResult>('drain', { gateId: 'g' });
    expect(r.error).toMatch(/connection to TaskManager tm-gone \(127\.0\.0\.1:1\) lost: .*ECONNREFUSED/);
  });

  it('a request for a slot the remote TaskManager does not have fails clearly', async () => {
    const [a, b] = await Promise.all([startTM('tm-a', 1), startTM('tm-b', 1)]);
    await b.slots[0]!.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: remote(a, 3) }] });
    const r = await b.slots[0]!.call<DrainResult>('drain', { gateId: 'g' });
    expect(r.error).toMatch(/TaskManager tm-a has no slot 3/);
  });
});
