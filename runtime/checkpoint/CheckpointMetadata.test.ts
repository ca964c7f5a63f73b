// The `_metadata` format (Flink's Checkpoints.storeCheckpointMetadata / loadCheckpointMetadata and
// CheckpointMetadataLoadingTest): magic + version header, operator states with inline bytes and
// file handles, file paths relative to the checkpoint directory (a moved directory still
// restores), and CorruptCheckpointError naming the file for a bad magic, version or body.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Unpackr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointMetadata, CorruptCheckpointError, METADATA_MAGIC, METADATA_VERSION, deserializeCheckpointMetadata, serializeCheckpointMetadata,
} from './CheckpointMetadata.js';
import type { StreamStateHandle } from './StateHandles.js';
import { CheckpointStorage } from '../../hdfs/index.js';

const WHERE = 'file:///cp/job/chk-7/_metadata';

function metadata(dir: string, opts: { shared?: string } = {}): CheckpointMetadata {
  const file = (name: string, size: number): StreamStateHandle => ({ kind: 'file', path: `${dir}/${name}`, size });
  return {
    checkpointId: 7,
    timestamp: 1_700_000_000_123,
    type: 'CHECKPOINT',
    operators: {
      1: {
        parallelism: 2,
        maxParallelism: 128,
        subtasks: {
          0: { keyed: [{ startKeyGroup: 0, endKeyGroup: 63, offsets: [0, -1, 17], handle: file('op1-0-keyed', 40) }], operator: [] },
          1: { keyed: [{ startKeyGroup: 64, endKeyGroup: 127, offsets: [0], handle: { kind: 'bytes', data: new Uint8Array([1, 2, 3, 250]) } }], operator: [] },
        },
        coordinatorState: { splits: ['s-1', 's-2'], nextId: 3 },
      },
      4: {
        parallelism: 1,
        maxParallelism: 16,
        subtasks: {
          0: {
            keyed: [],
            operator: [{ states: { offsets: { mode: 'SPLIT', offsets: [0, 8] }, u: { mode: 'UNION', offsets: [16] } }, handle: opts.shared !== undefined ? { kind: 'file', path: opts.shared, size: 9 } : file('op4-0-op', 24) }],
          },
        },
      },
    },
  };
}

/** The stored msgpack body, without resolving anything. */
function rawBody(bytes: Uint8Array): CheckpointMetadata {
  return new Unpackr({ useRecords: false, moreTypes: false }).unpack(bytes.subarray(8)) as CheckpointMetadata;
}

function paths(m: CheckpointMetadata): string[] {
  const out: string[] = [];
  for (const op of Object.values(m.operators)) {
    for (const s of Object.values(op.subtasks)) for (const h of [...s.keyed.map((k) => k.handle), ...s.operator.map((o) => o.handle)]) if (h.kind === 'file') out.push(h.path);
  }
  return out.sort();
}

function corrupt(): Uint8Array {
  return serializeCheckpointMetadata(metadata('file:///cp/job/chk-7'), 'file:///cp/job/chk-7');
}

describe('checkpoint _metadata', () => {
  it('starts with the magic number and the version, big-endian', () => {
    const bytes = corrupt();
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(dv.getUint32(0)).toBe(METADATA_MAGIC);
    expect(METADATA_MAGIC).toBe(0x54534643);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('TSFC');
    expect(dv.getUint32(4)).toBe(METADATA_VERSION);
    expect(METADATA_VERSION).toBe(1);
  });

  it('round trip without a checkpoint directory (jobmanager storage): everything, inline bytes included, unchanged', () => {
    const m = metadata('hdfs://nn:8020/cp/job/chk-7');
    const back = deserializeCheckpointMetadata(serializeCheckpointMetadata(m, undefined), undefined, WHERE);
    expect(back).toEqual(m);
    const inline = back.operators[1]!.subtasks[1]!.keyed[0]!.handle;
    expect(inline.kind).toBe('bytes');
    expect(inline.kind === 'bytes' && [...inline.data]).toEqual([1, 2, 3, 250]);
    expect(back.operators[1]!.coordinatorState).toEqual({ splits: ['s-1', 's-2'], nextId: 3 });
  });

  it('stores file handles inside the checkpoint directory relative to it and resolves them again', () => {
    const dir = 'file:///cp/job/chk-7';
    const m = metadata(dir);
    const bytes = serializeCheckpointMetadata(m, dir);
    expect(paths(rawBody(bytes))).toEqual(['op1-0-keyed', 'op4-0-op']);
    expect(Buffer.from(bytes).includes(Buffer.from('file:///cp/job'))).toBe(false);
    const back = deserializeCheckpointMetadata(bytes, dir, WHERE);
    expect(back).toEqual(m);
    // A trailing slash on either side makes no difference.
    expect(paths(rawBody(serializeCheckpointMetadata(m, `${dir}/`)))).toEqual(['op1-0-keyed', 'op4-0-op']);
    expect(deserializeCheckpointMetadata(bytes, `${dir}//`, WHERE)).toEqual(m);
  });

  it('keeps handles outside the checkpoint directory (shared/) absolute, also after a move', () => {
    const dir = 'hdfs://nn:8020/cp/job/chk-7';
    const shared = 'hdfs://nn:8020/cp/job/shared/sst-1';
    const m = metadata(dir, { shared });
    const bytes = serializeCheckpointMetadata(m, dir);
    expect(paths(rawBody(bytes))).toEqual([shared, 'op1-0-keyed'].sort());
    const moved = deserializeCheckpointMetadata(bytes, 'hdfs://other:8020/backup/chk-7', WHERE);
    expect(paths(moved)).toEqual(['hdfs://other:8020/backup/chk-7/op1-0-keyed', shared].sort());
    // A sibling directory whose name merely starts with the checkpoint directory's is not inside it.
    const sibling = serializeCheckpointMetadata(metadata(dir, { shared: `${dir}0/x` }), dir);
    expect(paths(rawBody(sibling))).toContain(`${dir}0/x`);
  });

  it('reads from a Uint8Array view at an offset into a larger buffer', () => {
    const bytes = corrupt();
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 5);
    expect(deserializeCheckpointMetadata(big.subarray(5), 'file:///cp/job/chk-7', WHERE).checkpointId).toBe(7);
  });

  it('corrupt magic → CorruptCheckpointError naming the file', () => {
    const bytes = corrupt();
    bytes[0] ^= 0xff;
    expect(() => deserializeCheckpointMetadata(bytes, undefined, WHERE)).toThrow(CorruptCheckpointError);
    expect(() => deserializeCheckpointMetadata(bytes, undefined, WHERE)).toThrow(`Checkpoint metadata ${WHERE} is corrupt or not a tsflink checkpoint: bad magic number 0xab534643.`);
    // Flink's own _metadata (magic 0x4960672d) is not mistaken for ours.
    const flink = new Uint8Array(16);
    new DataView(flink.buffer).setUint32(0, 0x4960672d);
    expect(() => deserializeCheckpointMetadata(flink, undefined, WHERE)).toThrow(/bad magic number 0x4960672d/);
  });

  it('unknown version → CorruptCheckpointError naming the file and both versions', () => {
    const bytes = corrupt();
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 2);
    const err = (() => { try { deserializeCheckpointMetadata(bytes, undefined, WHERE); } catch (e) { return e as Error; } return undefined; })();
    expect(err).toBeInstanceOf(CorruptCheckpointError);
    expect(err!.name).toBe('CorruptCheckpointError');
    expect(err!.message).toBe(`Checkpoint metadata ${WHERE} has version 2; this tsflink reads version 1.`);
  });

  it('truncated body, truncated header, empty body and a body that is no metadata → CorruptCheckpointError naming the file', () => {
    const bytes = corrupt();
    for (const cut of [1, 7, Math.floor(bytes.length / 2), bytes.length - 9]) {
      expect(() => deserializeCheckpointMetadata(bytes.subarray(0, bytes.length - cut), undefined, WHERE), `cut ${cut}`).toThrow(CorruptCheckpointError);
      expect(() => deserializeCheckpointMetadata(bytes.subarray(0, bytes.length - cut), undefined, WHERE)).toThrow(`Checkpoint metadata ${WHERE} is corrupt (truncated?)`);
    }
    expect(() => deserializeCheckpointMetadata(bytes.subarray(0, 8), undefined, WHERE)).toThrow(`Checkpoint metadata ${WHERE} is corrupt (truncated?)`);
    expect(() => deserializeCheckpointMetadata(bytes.subarray(0, 5), undefined, WHERE)).toThrow(`Checkpoint metadata ${WHERE} is corrupt: 5 bytes, shorter than its header.`);
    expect(() => deserializeCheckpointMetadata(new Uint8Array(0), undefined, WHERE)).toThrow(CorruptCheckpointError);
    // Valid header, valid msgpack, but not checkpoint metadata.
    const header = bytes.subarray(0, 8);
    for (const body of [[0x2a], [0xc0], [0x81, 0xa1, 0x78, 0x01]]) {
      const b = new Uint8Array([...header, ...body]);
      expect(() => deserializeCheckpointMetadata(b, undefined, WHERE)).toThrow(`Checkpoint metadata ${WHERE} is corrupt: missing checkpoint id or operator states.`);
    }
  });
});

describe('checkpoint _metadata on file://', () => {
  let tmp: string;
  beforeEach(async () => { tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsflink-metadata-')); });
  afterEach(async () => { await fsp.rm(tmp, { recursive: true, force: true }); });

  it('a checkpoint directory moved elsewhere still restores: its state files resolve in the new place', async () => {
    const storage = new CheckpointStorage(`file://${tmp}/cp`, 'job-a');
    await storage.initialize();
    const keyed = await storage.writeState(3, 'op1-0-keyed', 'KEYED-BYTES');
    const op = await storage.writeState(3, 'op4-0-op', 'OPERATOR-BYTES');
    const dir = storage.checkpointPath(3);
    const m: CheckpointMetadata = {
      checkpointId: 3, timestamp: 1, type: 'CHECKPOINT',
      operators: {
        1: { parallelism: 1, maxParallelism: 128, subtasks: { 0: { keyed: [{ startKeyGroup: 0, endKeyGroup: 127, offsets: [0], handle: { kind: 'file', ...keyed } }], operator: [] } } },
        4: { parallelism: 1, maxParallelism: 128, subtasks: { 0: { keyed: [], operator: [{ states: { s: { mode: 'SPLIT', offsets: [0] } }, handle: { kind: 'file', ...op } }] } } },
      },
    };
    await storage.writeMetadata(3, serializeCheckpointMetadata(m, dir));

    await fsp.rename(`${tmp}/cp/job-a/chk-3`, `${tmp}/moved-chk-3`);
    const movedDir = `file://${tmp}/moved-chk-3`;
    const bytes = await fsp.readFile(`${tmp}/moved-chk-3/_metadata`);
    const back = deserializeCheckpointMetadata(bytes, movedDir, `${movedDir}/_metadata`);
    expect(paths(back)).toEqual([`${movedDir}/op1-0-keyed`, `${movedDir}/op4-0-op`]);
    const h1 = back.operators[1]!.subtasks[0]!.keyed[0]!.handle;
    const h4 = back.operators[4]!.subtasks[0]!.operator[0]!.handle;
    expect(h1.kind === 'file' && (await storage.fs.readFile(h1.path)).toString()).toBe('KEYED-BYTES');
    expect(h4.kind === 'file' && (await storage.fs.readFile(h4.path)).toString()).toBe('OPERATOR-BYTES');
    expect(h1.kind === 'file' && h1.size).toBe(11);

    // A damaged copy names the file it came from.
    await fsp.writeFile(`${tmp}/moved-chk-3/_metadata`, bytes.subarray(0, bytes.length - 3));
    const damaged = await fsp.readFile(`${tmp}/moved-chk-3/_metadata`);
    expect(() => deserializeCheckpointMetadata(damaged, movedDir, `${movedDir}/_metadata`)).toThrow(`${movedDir}/_metadata`);
  });
});
