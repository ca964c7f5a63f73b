// B9 (checkpoint size ∝ change): incremental checkpoints of the 'leveldb' backend.
//   npx tsc -p tsconfig.json && node dist/bench/b9-incremental-checkpoint.js [keys=1000000] [value bytes=200] [changed %=1] [--write]
// A ValueState of <keys> values of <value bytes> each; checkpoint 1 uploads the base (the same bytes a
// full checkpoint writes), then <changed %> of the keys are updated per interval and each of 5 further
// checkpoints uploads a delta. Reported per checkpoint: uploaded bytes, the bytes that changed
// (serialized key + value of every updated key) and their ratio (the baseline: uploading exactly the
// change = 1.0×), and the time to serialize it while nothing else runs.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ValueStateDescriptor, type ValueState } from '../runtime/index.js';
import { packageRoot, StateBackendOptions } from '../runtime/configuration/index.js';
import { Configuration } from '../runtime/configuration/Configuration.js';
import { createKeyedStateBackend } from '../runtime/state/StateBackendLoader.js';
import type { KeyedStateBackend } from '../runtime/state/KeyedStateBackend.js';
import type { KeyGroupsStateHandle } from '../runtime/checkpoint/StateHandles.js';
import { Packr } from '../runtime/network/Packr.js';
import { machineLine, writeResultsSection } from './machine.js';

const num = (i: number, d: number): number => { const v = Number(process.argv.slice(2).filter((a) => /^\d+(\.\d+)?$/.test(a))[i]); return Number.isFinite(v) ? v : d; };
const KEYS = num(0, 1_000_000);
const VALUE_BYTES = num(1, 200);
const CHANGED_PCT = num(2, 1);

interface Row { id: number; part: string; uploaded: number; changed: number; ms: number }

async function checkpoint(b: KeyedStateBackend, id: number): Promise<{ part: string; bytes: number; ms: number }> {
  const t0 = performance.now();
  const s = await b.beginSnapshot({ checkpointId: id, savepoint: false }).serialize(async () => {});
  const ms = performance.now() - t0;
  if (!('kind' in s)) throw new Error('expected an incremental snapshot');
  const handle: KeyGroupsStateHandle = { startKeyGroup: s.fresh.startKeyGroup, endKeyGroup: s.fresh.endKeyGroup, offsets: s.fresh.offsets, handle: { kind: 'bytes', data: s.fresh.data }, incremental: { kind: s.part, uploadedBy: id } };
  s.uploaded(handle);
  b.notifyCheckpointComplete!(id);
  return { part: s.part, bytes: s.fresh.data.byteLength + (s.timers?.data.byteLength ?? 0), ms };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-b9-incr-'));
  const conf = new Configuration();
  conf.set(StateBackendOptions.STATE_BACKEND, 'leveldb');
  conf.setString('execution.checkpointing.incremental', 'true', 'bench');
  const b = createKeyedStateBackend(conf, { keyGroupRange: { startKeyGroup: 0, endKeyGroup: 127 }, maxParallelism: 128, localDirs: [dir], jobId: 'b9', operatorId: '1', subtaskIndex: 0, owner: 'B9 incremental' });
  await b.open?.();
  const desc = new ValueStateDescriptor<string>('v');
  const packr = new Packr({ useRecords: false });
  const value = (k: number, round: number): string => `${round}:${k}:`.padEnd(VALUE_BYTES, 'x');
  const put = (k: number, round: number): void => { b.setCurrentKey(k); b.getPartitionedState<ValueState<string>>(desc).update(value(k, round)); };
  const t0 = performance.now();
  for (let k = 0; k < KEYS; k++) put(k, 0);
  const fillMs = performance.now() - t0;
  const rows: Row[] = [];
  const total = KEYS * (packr.pack(0).length + packr.pack(value(0, 0)).length);
  const c1 = await checkpoint(b, 1);
  rows.push({ id: 1, part: c1.part, uploaded: c1.bytes, changed: total, ms: c1.ms });
  const perRound = Math.round((KEYS * CHANGED_PCT) / 100);
  for (let round = 1; round <= 5; round++) {
    let changed = 0;
    for (let i = 0; i < perRound; i++) {
      const k = (i * 7919 + round * 104_729) % KEYS; // spread over all key groups
      put(k, round);
      changed += packr.pack(k).length + packr.pack(value(k, round)).length;
    }
    const c = await checkpoint(b, round + 1);
    rows.push({ id: round + 1, part: c.part, uploaded: c.bytes, changed, ms: c.ms });
  }
  await (b as unknown as { inner: { close(): Promise<void> } }).inner.close();
  rmSync(dir, { recursive: true, force: true });

  const mb = (n: number): string => (n / 1e6).toFixed(2);
  const lines = [
    `Run ${new Date().toISOString()}. ${machineLine()}`,
    '',
    `ValueState of ${KEYS.toLocaleString('en-US')} keys × ${VALUE_BYTES} B values (filled in ${(fillMs / 1000).toFixed(1)} s); ${CHANGED_PCT} % of the keys updated before each`,
    'checkpoint after the first. *uploaded*: bytes the checkpoint writes to shared storage (its new chain part plus the timers);',
    '*changed*: serialized key + value of the keys updated since the previous checkpoint (for the base: of the whole state).',
    'Serialize time: the asynchronous phase alone, nothing else running. Backend-level (no task, no file system).',
    '',
    '| checkpoint | part | uploaded (MB) | changed (MB) | uploaded / changed | serialize (ms) |',
    '|---:|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.id} | ${r.part} | ${mb(r.uploaded)} | ${mb(r.changed)} | ${(r.uploaded / r.changed).toFixed(2)}× | ${r.ms.toFixed(0)} |`),
    '',
    `A delta is ${(rows.slice(1).reduce((s, r) => s + r.uploaded, 0) / 5 / rows[0]!.uploaded * 100).toFixed(2)} % of the base on average.`,
  ];
  console.log(lines.join('\n'));
  if (process.argv.includes('--write')) {
    writeResultsSection(packageRoot(), 'B9 incremental checkpoints: uploaded bytes vs changed bytes', lines.join('\n'));
    console.log('wrote bench/RESULTS.md');
  }
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
