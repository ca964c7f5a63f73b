import { describe, it, expect, afterEach } from 'vitest';
import { RpcServer, connectRpc, type RpcConnection, RpcTimeoutException, RemoteRpcException, RpcConnectionClosedException } from './RpcConnection.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

async function server(secret: string, handler: (m: string, a: unknown[], c: RpcConnection) => unknown, log: string[] = []): Promise<{ port: number; conns: RpcConnection[] }> {
  const conns: RpcConnection[] = [];
  const s = new RpcServer(secret, handler, (c) => conns.push(c), (m) => log.push(m));
  const { port } = await s.start('127.0.0.1', 0);
  cleanups.push(() => s.close());
  return { port, conns };
}

describe('control RPC', () => {
  it('calls both ways over one authenticated connection, with rich plain data', async () => {
    const { port, conns } = await server('s3cret', (m, a) => (m === 'add' ? (a[0] as number) + (a[1] as number) : m === 'echo' ? a[0] : null));
    const client = await connectRpc('127.0.0.1', port, 's3cret', (m) => (m === 'whoami' ? 'client' : null));
    cleanups.push(() => client.close());
    expect(await client.call('add', [2, 3])).toBe(5);
    const data = { m: new Map([['a', 1]]), d: new Date(5), big: 2n ** 70n, nested: [1, { x: 'y' }], bytes: new Uint8Array([1, 2]) };
    expect(await client.call('echo', [data])).toEqual(data);
    // user values (collect sink batches, operator events) keep -0
    const echoed = (await client.call('echo', [[-0, 0, -1.5]])) as number[];
    expect(Object.is(echoed[0], -0)).toBe(true);
    expect(Object.is(echoed[1], 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await conns[0].call('whoami')).toBe('client');
  });

  it('maps remote exceptions, times out calls, and fails pending calls when the peer goes away', async () => {
    const { port, conns } = await server('k', (m) => {
      if (m === 'boom') throw new TypeError('bad argument');
      if (m === 'hang') return new Promise(() => {});
      return null;
    });
    const client = await connectRpc('127.0.0.1', port, 'k', () => null, { timeoutMs: 200 });
    const err = await client.call('boom').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteRpcException);
    expect((err as Error).name).toBe('TypeError');
    expect((err as Error).message).toBe('bad argument');
    await expect(client.call('hang')).rejects.toBeInstanceOf(RpcTimeoutException);
    const pending = client.call('hang', [], 5_000);
    conns[0].close('test');
    await expect(pending).rejects.toBeInstanceOf(RpcConnectionClosedException);
  });

  it('drops and logs peers with a wrong secret, without retrying forever', async () => {
    const log: string[] = [];
    const { port } = await server('right', () => null, log);
    await expect(connectRpc('127.0.0.1', port, 'wrong', () => null, { attempts: 3 })).rejects.toThrow(/Cannot connect .* after 3 attempt/);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.some((l) => /failed authentication \(wrong cluster secret\)/.test(l))).toBe(true);
  });

  it('an unreachable endpoint fails after the retries naming the address', async () => {
    await expect(connectRpc('127.0.0.1', 1, 'k', () => null, { attempts: 2, what: 'the JobManager' })).rejects.toThrow(/Cannot connect to the JobManager at 127.0.0.1:1 after 2 attempt/);
  });
});

describe('control RPC under concurrency', () => {
  it('many connections and interleaved calls of changing shapes decode correctly', async () => {
    const { port } = await server('k', (_m, a) => a[0]);
    const clients = await Promise.all(Array.from({ length: 4 }, () => connectRpc('127.0.0.1', port, 'k', () => null)));
    cleanups.push(() => { for (const c of clients) c.close(); });
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < 400; i++) {
      const c = clients[i % 4];
      const v = i % 3 === 0 ? { a: i, b: `s${i}` } : i % 3 === 1 ? { x: [i, { y: i }], z: null } : { a: i, extra: { deep: [1, 2, i] } };
      calls.push(c.call('echo', [v]).then((r) => { expect(r).toEqual(v); }));
    }
    await Promise.all(calls);
  });
});
