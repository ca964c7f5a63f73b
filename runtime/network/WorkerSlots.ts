// Test helpers (not exported from index.ts): worker-thread slots for messageport.test.ts and
// tcp/tcp.test.ts. Each slot is a real worker thread running slotHarness.mjs over the network module
// bundled with esbuild, driven by commands (`call`) from the test thread.
import { Worker, type TransferListItem } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const harness = fileURLToPath(new URL('./slotHarness.mjs', import.meta.url));

/** The network configuration the slot tests use unless a test needs another. */
export const SLOT_TEST_CONFIG = { bufferSize: 32768, buffersPerChannel: 2, floatingBuffersPerGate: 8 };

export interface Slot {
  worker: Worker;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, transfer?: TransferListItem[]): Promise<T>;
}

/** What the harness's `drain` command returns. */
export interface DrainResult {
  count: number;
  records: unknown[][] | null;
  events: [number, { type: string }][];
  error?: string;
  name?: string;
  timeout?: boolean;
}

/**
 * The slots of one test file. `bundle()` (beforeAll) bundles the network module into
 * node_modules/.cache/<cacheDir> (msgpackr stays external and resolves from the repo's node_modules;
 * one directory per test file, as test files run in parallel); `terminateAll()` (afterEach) ends
 * every slot started since.
 */
export class WorkerSlots {
  private readonly bundlePath: string;
  private readonly workers: Worker[] = [];

  constructor(private readonly cacheDir: string) {
    this.bundlePath = `${root}node_modules/.cache/${cacheDir}/network.mjs`;
  }

  async bundle(): Promise<void> {
    mkdirSync(`${root}node_modules/.cache/${this.cacheDir}`, { recursive: true });
    await build({ entryPoints: [`${root}runtime/network/index.ts`], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: this.bundlePath, external: ['msgpackr'], logLevel: 'warning' });
  }

  async terminateAll(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  /** Starts a slot worker and waits until its harness is ready. */
  async start(slotIndex: number, cfg: Record<string, unknown> = SLOT_TEST_CONFIG): Promise<Slot> {
    const worker = new Worker(harness, { workerData: { bundlePath: this.bundlePath, slotIndex, config: cfg } });
    this.workers.push(worker);
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
}
