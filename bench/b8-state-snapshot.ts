// B8 (state size): how long one subtask's checkpoint of a large heap keyed state takes — the
// synchronous snapshot (serialization per key group, the task is paused meanwhile) and the upload
// to file:// — against a hand-written baseline in the same run: msgpackr-packing the same entries
// into one buffer and writing it with fs.writeFile.
//   node --max-old-space-size=8192 dist/bench/b8-state-snapshot.js [MB of state]
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { HeapKeyedStateBackend } from '../runtime/state/heap/HeapKeyedStateBackend.js';
import { ValueStateDescriptor } from '../runtime/api/state/StateDescriptor.js';
import type { ValueState } from '../runtime/api/state/State.js';
import { getFileSystem } from '../hdfs/index.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection, median } from './machine.js';

async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 1024);
  const valueBytes = 100;
  const keys = Math.round((mb * 1024 * 1024) / (valueBytes + 16));
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-b8-state-'));
  try {
    const backend = new HeapKeyedStateBackend({ startKeyGroup: 0, endKeyGroup: 127 }, 128);
    const state = backend.getPartitionedState<ValueState<string>>(new ValueStateDescriptor<string>('v'));
    const pad = 'x'.repeat(valueBytes - 10);
    for (let k = 0; k < keys; k++) { backend.setCurrentKey(k); state.update(`${pad}${String(k).padStart(10, '0')}`); }
    const fs = getFileSystem(`file://${dir}`);
    const syncMs: number[] = [], uploadMs: number[] = [], loopMs: number[] = [];
    let bytes = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const pending = backend.beginSnapshot();
      const t1 = performance.now();
      const snap = await pending.serialize(() => new Promise((res) => setImmediate(res)));
      await fs.writeFile(`file://${dir}/chk-${r}`, snap.data);
      const t2 = performance.now();
      bytes = snap.data.byteLength;
      syncMs.push(t1 - t0); uploadMs.push(t2 - t1);
      // Baseline: the same entries packed by hand into one buffer and written.
      const b0 = performance.now();
      const packr = new Packr({ useRecords: false });
      const entries: unknown[] = [];
      for (let k = 0; k < keys; k++) entries.push(k, `${pad}${String(k).padStart(10, '0')}`);
      const buf = packr.pack(entries);
      await writeFile(join(dir, `loop-${r}`), buf);
      loopMs.push(performance.now() - b0);
      rmSync(join(dir, `chk-${r}`)); rmSync(join(dir, `loop-${r}`));
    }
    const s = median(syncMs), u = median(uploadMs), l = median(loopMs);
    const body = `Run ${new Date().toISOString()}. ${machineLine()}

One subtask's heap keyed state: ${keys.toLocaleString('en-US')} keys × a ${valueBytes}-byte string value (≈ ${mb} MB of values), 128 key groups. Median of 3.

| | ms |
|---|---:|
| synchronous phase (key lists and timers taken, then up to 5 ms of serialization; the task waits) | ${s.toFixed(0)} |
| asynchronous phase: serialization in slices (copy-on-write) + upload to file:// (the task keeps processing) | ${u.toFixed(0)} |
| checkpoint duration of the subtask (sum) | ${(s + u).toFixed(0)} |
| baseline: msgpackr pack of the same entries + fs.writeFile, by hand | ${l.toFixed(0)} |

Snapshot size ${(bytes / 1024 / 1024).toFixed(0)} MiB. tsflink / baseline: **${((s + u) / l).toFixed(2)}×** the time. The task pauses only for the
synchronous phase (${((s / (s + u)) * 100).toFixed(1)}% of it); values are serialized afterwards, protected by copy-on-write.`;
    console.log(body);
    writeResultsSection(packageRoot(), 'B8 checkpoint duration of large heap state', body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
