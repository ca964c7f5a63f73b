// Worker-thread "slot" used by messageport.test.ts and tcp/tcp.test.ts (through WorkerSlots.ts): one
// ShuffleEnvironment per worker, driven by commands from the test thread. Plain JS because worker threads
// cannot load the TypeScript sources; the network module is bundled by the test (esbuild) and its path
// passed in workerData.
import { parentPort, workerData } from 'node:worker_threads';

const net = await import(workerData.bundlePath);
const env = new net.ShuffleEnvironment({ slotIndex: workerData.slotIndex, config: workerData.config });
const partitions = new Map();
const gates = new Map();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function smallRecord(i, kind) {
  return kind === 'tuple' ? ['key-' + (i % 1000), i] : { id: i, name: 'product-' + (i % 1000), price: (i % 10000) / 100 };
}

const commands = {
  connect({ peer, port }) {
    env.addSlotConnection(peer, port);
  },
  uplink({ port }) {
    env.setRemoteUplink(port);
  },
  createPartition({ partitionId, numSubpartitions, bufferTimeout }) {
    partitions.set(partitionId, env.createResultPartition({ partitionId, numSubpartitions, bufferTimeout, owner: `Producer ${partitionId} @slot ${workerData.slotIndex}` }));
  },
  /** Emits `values` (or `count` generated records) round-robin or to one subpartition, honouring backpressure. */
  async produce({ partitionId, values, count, kind, subpartition, finish, ignoreBackpressure, timestamps, noFlush }) {
    const p = partitions.get(partitionId);
    const n = values ? values.length : count;
    let unavailable = 0;
    for (let i = 0; i < n; i++) {
      const v = values ? values[i] : smallRecord(i, kind);
      const ts = timestamps ? i : undefined;
      if (subpartition === 'all') p.broadcastRecord(v, ts);
      else if (subpartition === 'rr') p.emitRecord(i % p.numSubpartitions, v, ts);
      else p.emitRecord(subpartition, v, ts);
      if (!ignoreBackpressure && !p.isAvailable()) {
        unavailable++;
        await p.getAvailableFuture();
      }
    }
    if (finish) p.finish();
    else if (!noFlush) p.flushAll();
    return { unavailable, available: p.isAvailable(), numRecordsOut: p.numRecordsOut, poolAllocated: env.pool.numAllocated };
  },
  status({ partitionId }) {
    const p = partitions.get(partitionId);
    return { available: p.isAvailable(), poolAllocated: env.pool.numAllocated, poolFree: env.pool.numFree, numBuffersOut: p.numBuffersOut };
  },
  event({ partitionId, event }) {
    partitions.get(partitionId).broadcastEvent(event);
  },
  finish({ partitionId }) {
    partitions.get(partitionId).finish();
  },
  release({ partitionId, cause }) {
    partitions.get(partitionId).release(new Error(cause));
  },
  createGate({ gateId, channels }) {
    gates.set(gateId, env.createInputGate({ channels, owner: `Consumer ${gateId} @slot ${workerData.slotIndex}` }));
  },
  /** Polls until every channel ended (or an error); returns records (if collect) and counts. */
  async drain({ gateId, collect, timeoutMs }) {
    const g = gates.get(gateId);
    const records = Array.from({ length: g.numberOfChannels }, () => []);
    const events = [];
    let count = 0;
    let ended = 0;
    const deadline = Date.now() + (timeoutMs ?? 30_000);
    try {
      while (ended < g.numberOfChannels) {
        const b = g.pollNext();
        if (b === null) {
          if (Date.now() > deadline) return { timeout: true, count, events };
          await Promise.race([g.getAvailableFuture(), sleep(250)]);
        } else if (b.kind === 'records') {
          count += b.values.length;
          if (collect) for (let i = 0; i < b.values.length; i++) records[b.channel].push(collect === 'ts' ? [b.values[i], b.timestamps?.[i] ?? null] : b.values[i]);
        } else {
          events.push([b.channel, b.event]);
          if (b.event.type === 'EndOfPartition') ended++;
        }
      }
    } catch (e) {
      return { error: e.message, name: e.name, count, events };
    }
    return { count, records: collect ? records : null, events, numRecordsIn: g.numRecordsIn };
  },
  closeGate({ gateId }) {
    gates.get(gateId).close();
  },
  pollOnce({ gateId }) {
    const b = gates.get(gateId).pollNext();
    return b === null ? null : b.kind;
  },
  closeEnv() {
    env.close();
  },
};

parentPort.on('message', async (msg) => {
  try {
    const result = await commands[msg.cmd](msg);
    parentPort.postMessage({ reqId: msg.reqId, result });
  } catch (e) {
    parentPort.postMessage({ reqId: msg.reqId, error: `${e.name}: ${e.message}` });
  }
});
parentPort.postMessage({ ready: true });
