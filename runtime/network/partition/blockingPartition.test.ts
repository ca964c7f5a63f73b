import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainGate } from '../drainGate.js';
import { ChannelError, ShuffleEnvironment, type NetworkConfig, type ResultPartition, type SingleInputGate } from '../index.js';
import { NetworkBufferPool } from '../NetworkBufferPool.js';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import { sleep } from '../localChannelPair.js';
import { PLAIN_VALUES } from '../plainValues.js';
import { BlockingResultPartition } from './BlockingResultPartition.js';
import { PartitionedFile } from './PartitionedFile.js';
import { PartitionedFileReader } from './PartitionedFileReader.js';
import { PartitionedFileWriter } from './PartitionedFileWriter.js';
import { SortMergeResultPartition } from './SortMergeResultPartition.js';
import { BoundedBlockingResultPartition } from './BoundedBlockingResultPartition.js';

let dirs: string[] = [];
const envs: ShuffleEnvironment[] = [];

beforeEach(() => {
  dirs = [mkdtempSync(join(tmpdir(), 'tsflink-bp-a-')), mkdtempSync(join(tmpdir(), 'tsflink-bp-b-'))];
});
afterEach(() => {
  for (const e of envs.splice(0)) e.close();
  for (const d of dirs) {
    // Every test leaves its tmp dirs empty: shuffle dirs are removed when the environment closes.
    expect(readdirSync(d), `shuffle files left in ${d}`).toEqual([]);
    rmSync(d, { recursive: true, force: true });
  }
});

type Kind = 'hash' | 'sort';

function makeEnv(kind: Kind, extra: Partial<NonNullable<NetworkConfig['blockingShuffle']>> = {}, slotIndex = 0): ShuffleEnvironment {
  const env = new ShuffleEnvironment({
    slotIndex,
    config: {
      bufferSize: 4096,
      buffersPerChannel: 2,
      floatingBuffersPerGate: 4,
      blockingShuffle: { tmpDirs: dirs, sortShuffleMinParallelism: kind === 'sort' ? 1 : 1_000, sortShuffleMinBuffers: 4, readChunkSize: 4096, ...extra },
    },
  });
  envs.push(env);
  return env;
}

function blocking(env: ShuffleEnvironment, n: number, partitionId = 'bp1'): ResultPartition {
  return env.createResultPartition({ partitionId, numSubpartitions: n, bufferTimeout: -1, owner: 'Map (1/1)', type: 'BLOCKING' });
}

function gateFor(env: ShuffleEnvironment, n: number, partitionId = 'bp1', location: { kind: 'local' } | { kind: 'slot'; slotIndex: number } = { kind: 'local' }): SingleInputGate {
  return env.createInputGate({ channels: Array.from({ length: n }, (_, i) => ({ partitionId, subpartition: i, location })), owner: 'Reduce (1/1)' });
}

function filesUnder(ds: string[]): string[] {
  const out: string[] = [];
  for (const d of ds) for (const sub of readdirSync(d)) for (const f of readdirSync(join(d, sub))) out.push(join(d, sub, f));
  return out;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each<Kind>(['hash', 'sort'])('%s blocking partition', (kind) => {
  it('writes and reads every subpartition in order, broadcast records the same in every subpartition', async () => {
    const env = makeEnv(kind);
    const n = 5;
    const p = blocking(env, n);
    const rand = rng(kind === 'hash' ? 1 : 2);
    const expected: [string, unknown][][] = Array.from({ length: n }, () => []);
    const broadcasts: unknown[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = rand();
      const value = { i, word: 'w'.repeat(Math.floor(rand() * 40)), n: r };
      if (r < 0.05) {
        p.broadcastRecord(value, undefined);
        for (const e of expected) e.push(['r', value]);
        broadcasts.push(value);
      } else {
        const sp = Math.floor(rand() * n);
        const ts = r < 0.5 ? undefined : i;
        p.emitRecord(sp, value, ts);
        expected[sp]!.push(['r', value]);
      }
      if (i % 7_000 === 6_999) {
        p.broadcastEvent({ type: 'Watermark', timestamp: i });
        for (const e of expected) e.push(['e', 'Watermark']);
      }
    }
    for (const v of PLAIN_VALUES) {
      p.emitRecord(3, v, undefined);
      expected[3]!.push(['r', v]);
    }
    const gate = gateFor(env, n);
    p.finish();
    for (const e of expected) e.push(['e', 'EndOfPartition']);
    if (p instanceof SortMergeResultPartition) {
      // Many spills of 4 buffers each: one region per spill in the index.
      expect(p.numSpills).toBeGreaterThan(10);
      expect(p.partitionedFile!.numRegions).toBe(p.numSpills);
      expect(filesUnder(dirs).map((f) => f.replace(/.*\./, ''))).toEqual(expect.arrayContaining(['data', 'index']));
      expect(filesUnder(dirs)).toHaveLength(2);
    } else {
      expect(p).toBeInstanceOf(BoundedBlockingResultPartition);
      expect(filesUnder(dirs)).toHaveLength(n);
    }
    const got = await drainGate(gate);
    expect(got.sequence).toHaveLength(n);
    for (let c = 0; c < n; c++) expect(got.sequence[c], `subpartition ${c}`).toStrictEqual(expected[c]);
    for (let c = 0; c < n; c++) expect(got.records[c]!.filter((v) => broadcasts.includes(v) || (typeof v === 'object' && v !== null && 'i' in v && broadcasts.some((b) => (b as { i: number }).i === (v as { i: number }).i)))).toStrictEqual(broadcasts);
    // Fully consumed: files deleted, the partition is gone from the stack.
    await until(() => filesUnder(dirs).length === 0, 'files deleted after consumption');
    expect(env.stack.debugCounts()).toMatchObject({ partitions: 0, servedStreams: 0 });
  });

  it('serves nothing before the partition finishes; a request parked before registration is served after finish', async () => {
    const env = makeEnv(kind);
    const gate = gateFor(env, 2, 'early');
    await sleep(20); // the request is parked: no partition 'early' yet
    const p = blocking(env, 2, 'early');
    for (let i = 0; i < 3000; i++) p.emitRecord(i % 2, i, undefined);
    await sleep(50);
    expect(gate.pollNext()).toBeNull();
    p.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toEqual(Array.from({ length: 1500 }, (_, k) => 2 * k));
    expect(got.records[1]).toEqual(Array.from({ length: 1500 }, (_, k) => 2 * k + 1));
  });

  it('a read budget of one chunk, shared by every reader: each subpartition reads back exactly, also records larger than the budget', async () => {
    const shared = new SharedArrayBuffer(4);
    const env = makeEnv(kind, { readBudget: { bytes: 4096, shared } });
    const n = 6;
    const p = blocking(env, n);
    const expected: unknown[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < 6_000; i++) {
      const v = i % 1000 === 0 ? 'B'.repeat(20_000) : { i, pad: 'p'.repeat(i % 50) };
      p.emitRecord(i % n, v, undefined);
      expected[i % n]!.push(v);
    }
    const gate = gateFor(env, n);
    p.finish();
    const counter = new Int32Array(shared);
    // Another slot holds the whole budget: no reader may read until it is given back.
    Atomics.store(counter, 0, 4);
    let maxUnits = 0;
    const sampler = setInterval(() => { maxUnits = Math.max(maxUnits, Atomics.load(counter, 0)); }, 0);
    try {
      let done = false;
      const drained = drainGate(gate, { timeoutMs: 20_000 }).then((g) => { done = true; return g; });
      await sleep(150);
      expect(done).toBe(false);
      Atomics.store(counter, 0, 0);
      Atomics.notify(counter, 0);
      const got = await drained;
      expect(got.records).toStrictEqual(expected);
    } finally {
      clearInterval(sampler);
    }
    expect(maxUnits).toBeLessThanOrEqual(4); // KiB: one 4 KiB chunk at a time across all six readers
    expect(Atomics.load(counter, 0)).toBe(0); // every reservation given back
  });

  it('reads records larger than a buffer and a read chunk', async () => {
    const env = makeEnv(kind);
    const p = blocking(env, 2);
    const big = (k: number): string => String.fromCharCode(65 + (k % 26)).repeat(50_000 + k * 1000);
    const expected: unknown[][] = [[], []];
    for (let k = 0; k < 12; k++) {
      const v = k % 3 === 0 ? big(k) : { k, small: 'x' };
      p.emitRecord(k % 2, v, k % 4 === 0 ? k : undefined);
      expected[k % 2]!.push(v);
    }
    const gate = gateFor(env, 2);
    p.finish();
    const got = await drainGate(gate);
    expect(got.records).toStrictEqual(expected);
  });

  it('serves a consumer in another slot over its MessagePort (buffers transferred, credit returned)', async () => {
    const producerEnv = makeEnv(kind, {}, 0);
    const consumerEnv = makeEnv(kind, {}, 1);
    const ch = new MessageChannel();
    producerEnv.addSlotConnection(1, ch.port1);
    consumerEnv.addSlotConnection(0, ch.port2);
    const p = blocking(producerEnv, 3);
    for (let i = 0; i < 30_000; i++) p.emitRecord(i % 3, [i, `v${i}`], undefined);
    p.finish();
    const gate = gateFor(consumerEnv, 3, 'bp1', { kind: 'slot', slotIndex: 0 });
    const got = await drainGate(gate);
    for (let c = 0; c < 3; c++) expect(got.records[c]).toStrictEqual(Array.from({ length: 10_000 }, (_, k) => [3 * k + c, `v${3 * k + c}`]));
    await until(() => filesUnder(dirs).length === 0, 'files deleted after consumption');
  });

  it('release while reading fails the consumer and deletes the files once the reader is gone', async () => {
    const env = makeEnv(kind);
    const p = blocking(env, 2);
    for (let i = 0; i < 50_000; i++) p.emitRecord(i % 2, { i, pad: 'p'.repeat(30) }, undefined);
    const gate = gateFor(env, 2);
    p.finish();
    // Read a little, then release under the consumer.
    let records = 0;
    while (records < 1000) {
      const b = gate.pollNext();
      if (b === null) {
        await gate.getAvailableFuture();
        continue;
      }
      if (b.kind === 'records') records += b.values.length;
    }
    expect(filesUnder(dirs).length).toBeGreaterThan(0);
    p.release(new Error('job cancelled'));
    let error: unknown = null;
    try {
      await drainGate(gate, { timeoutMs: 5000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChannelError);
    expect(String((error as Error).message)).toContain('was released: job cancelled');
    await until(() => filesUnder(dirs).length === 0, 'files deleted after release');
    // A later request for the partition gets the release reason, not a timeout.
    const late = gateFor(env, 1);
    await expect(drainGate(late, { timeoutMs: 2000 })).rejects.toThrow(/job cancelled/);
  });

  it('release before finish deletes what was written; emitting afterwards fails clearly', () => {
    const env = makeEnv(kind);
    const p = blocking(env, 2);
    for (let i = 0; i < 100_000; i++) p.emitRecord(i % 2, i, undefined);
    expect(filesUnder(dirs).length).toBeGreaterThan(0);
    p.release(new Error('task failed'));
    expect(filesUnder(dirs)).toEqual([]);
    expect(() => p.emitRecord(0, 1, undefined)).toThrow(/was released/);
  });

  it('compression shrinks compressible data and round-trips it exactly', async () => {
    const sizes: Record<string, number> = {};
    for (const compression of [false, true]) {
      const env = makeEnv(kind, { compression });
      const p = blocking(env, 2, `c${compression}`) as BlockingResultPartition;
      for (let i = 0; i < 20_000; i++) p.emitRecord(i % 2, { word: 'hello world hello world', i }, undefined);
      const gate = gateFor(env, 2, `c${compression}`);
      p.finish();
      sizes[String(compression)] = p.filePaths().reduce((s, f) => s + statSync(f).size, 0);
      const got = await drainGate(gate);
      expect(got.records[1]).toStrictEqual(Array.from({ length: 10_000 }, (_, k) => ({ word: 'hello world hello world', i: 2 * k + 1 })));
    }
    expect(sizes['true']!).toBeLessThan(sizes['false']! / 2);
  });

  it('spreads partitions over the io.tmp.dirs round-robin and removes its shuffle dirs on close', () => {
    const env = makeEnv(kind);
    for (let k = 0; k < 4; k++) blocking(env, 2, `rr${k}`).finish();
    expect(env.shuffleDirs).toHaveLength(2);
    for (const d of dirs) expect(readdirSync(d)).toHaveLength(1);
    for (const sd of env.shuffleDirs) expect(readdirSync(sd).length).toBeGreaterThan(0);
    const shuffleDirs = env.shuffleDirs;
    env.close();
    for (const sd of shuffleDirs) expect(existsSync(sd)).toBe(false);
  });
});

describe('PartitionedFile', () => {
  function buffers(seed: number, count: number, pool: NetworkBufferPool): NetworkBuffer[] {
    const rand = rng(seed);
    const out: NetworkBuffer[] = [];
    for (let i = 0; i < count; i++) {
      const length = 16 + Math.floor(rand() * (i % 5 === 0 ? 20_000 : 3000));
      const ab = length <= pool.bufferSize ? pool.acquire() : new ArrayBuffer(length);
      const u = new Uint8Array(ab, 0, length);
      for (let k = 0; k < length; k++) u[k] = (k * 31 + seed + i) & 0xff;
      out.push({ buffer: ab, length, isEvent: false });
    }
    return out;
  }

  it('index round trip: regions, offsets and sizes as written; every subpartition reads back byte for byte', async () => {
    const [dir] = dirs;
    const pool = new NetworkBufferPool(4096, 0);
    for (const compress of [false, true]) {
      const base = join(dir!, `pf-${compress}`);
      const w = new PartitionedFileWriter(`${base}.shuffle.data`, `${base}.shuffle.index`, 3, compress);
      const regions: NetworkBuffer[][][] = [];
      for (let r = 0; r < 4; r++) {
        // Subpartition 1 is empty in region 2.
        const region = [0, 1, 2].map((sp) => (r === 2 && sp === 1 ? [] : buffers(r * 10 + sp, 1 + ((r + sp) % 4), pool)));
        const copy = region.map((l) => l.map((b) => new Uint8Array(b.buffer, 0, b.length).slice()));
        w.writeRegion(region);
        regions.push(copy.map((l) => l.map((u) => ({ buffer: u.buffer, length: u.length, isEvent: false }))));
      }
      const written = w.finish();
      const reopened = PartitionedFile.open(written.dataPath, written.indexPath);
      expect(reopened.numRegions).toBe(4);
      expect(reopened.numSubpartitions).toBe(3);
      let expectOffset = 0;
      for (let r = 0; r < 4; r++) {
        for (let sp = 0; sp < 3; sp++) {
          expect(reopened.offsetOf(r, sp)).toBe(written.offsetOf(r, sp));
          expect(reopened.sizeOf(r, sp)).toBe(written.sizeOf(r, sp));
          expect(reopened.offsetOf(r, sp)).toBe(expectOffset);
          expectOffset += reopened.sizeOf(r, sp);
        }
      }
      expect(reopened.sizeOf(2, 1)).toBe(0);
      expect(statSync(written.dataPath).size).toBe(expectOffset);
      expect(() => reopened.offsetOf(4, 0)).toThrow(/region 4 out of range/);
      for (let sp = 0; sp < 3; sp++) {
        const reader = new PartitionedFileReader(reopened.rangesOf(sp), pool, 4096);
        const got: NetworkBuffer[] = [];
        while (reader.hasRemaining) await reader.readBuffers(got);
        const want = regions.flatMap((reg) => reg[sp]!);
        expect(got.map((b) => Buffer.from(b.buffer, 0, b.length).toString('hex'))).toEqual(want.map((b) => Buffer.from(b.buffer, 0, b.length).toString('hex')));
      }
      reopened.deleteQuietly();
    }
    expect(readdirSync(dir!)).toEqual([]);
  });

  it('refuses a truncated or foreign index file with a clear error', () => {
    const [dir] = dirs;
    writeFileSync(join(dir!, 'x.index'), Buffer.alloc(8));
    expect(() => PartitionedFile.open(join(dir!, 'x.data'), join(dir!, 'x.index'))).toThrow(/truncated/);
    writeFileSync(join(dir!, 'x.index'), Buffer.alloc(64));
    expect(() => PartitionedFile.open(join(dir!, 'x.data'), join(dir!, 'x.index'))).toThrow(/no index header/);
    rmSync(join(dir!, 'x.index'));
  });
});

describe('blocking shuffle configuration', () => {
  it('rejects a read budget below one read chunk, naming the key', () => {
    expect(() => makeEnv('sort', { readBudget: { bytes: 1000 } })).toThrow(/taskmanager\.memory\.framework\.off-heap\.batch-shuffle\.size \(1000 bytes\) is smaller than one shuffle read chunk \(4096 bytes\)/);
  });

  it('rejects empty io.tmp.dirs', () => {
    expect(() => new ShuffleEnvironment({ slotIndex: 0, config: { bufferSize: 4096, buffersPerChannel: 2, floatingBuffersPerGate: 4, blockingShuffle: { tmpDirs: [] } } })).toThrow(/tmpDirs must list at least one directory/);
  });

  it('a shuffle dir that cannot be created fails the partition with the path', () => {
    const file = join(dirs[0]!, 'not-a-dir');
    writeFileSync(file, 'x');
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { bufferSize: 4096, buffersPerChannel: 2, floatingBuffersPerGate: 4, blockingShuffle: { tmpDirs: [file] } } });
    envs.push(env);
    expect(() => blocking(env, 2)).toThrow(/cannot create shuffle directory .*not-a-dir/);
    rmSync(file);
  });
});

describe('PartitionNotFound: a finished partition requested with backoff (taskmanager.network.request-backoff.*)', () => {
  function envWithBackoff(initialMs: number, maxMs: number): ShuffleEnvironment {
    const env = new ShuffleEnvironment({
      slotIndex: 0,
      config: { bufferSize: 4096, buffersPerChannel: 2, floatingBuffersPerGate: 4, partitionRequestBackoff: { initialMs, maxMs }, blockingShuffle: { tmpDirs: dirs, sortShuffleMinParallelism: 1_000 } },
    });
    envs.push(env);
    return env;
  }
  const finishedGate = (env: ShuffleEnvironment, partitionId: string): SingleInputGate =>
    env.createInputGate({ channels: [{ partitionId, subpartition: 0, location: { kind: 'local' }, finished: true }], owner: 'Reduce (1/1)' });

  it('is not parked: requests repeat with doubling waits, then the channel fails naming the partition', async () => {
    const env = envWithBackoff(10, 40);
    const t0 = Date.now();
    const gate = finishedGate(env, 'lost-partition');
    await gate.getAvailableFuture();
    const e = (() => { try { gate.pollNext(); return null; } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(ChannelError);
    expect((e as ChannelError).partitionId).toBe('lost-partition');
    expect((e as Error).message).toMatch(/PartitionNotFound: partition lost-partition .*not in slot 0/);
    // Waited 10 + 20 + 40 ms between four requests; 80 would exceed the maximum.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(65);
    expect(env.stack.debugCounts().parkedRequests).toBe(0);
    gate.close();
  });

  it('a partition that appears during the backoff is read', async () => {
    const env = envWithBackoff(10, 1000);
    const gate = finishedGate(env, 'late-blocking');
    await sleep(25);
    const p = blocking(env, 1, 'late-blocking');
    p.emitRecord(0, 'late', undefined);
    p.finish();
    const got = await drainGate(gate);
    expect(got.records.flat()).toEqual(['late']);
    p.release();
  });
});
