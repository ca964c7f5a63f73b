import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTcp } from 'node:net';
import { RpcServer, connectRpc, type RpcConnection, RpcTimeoutException, RemoteRpcException, RpcConnectionClosedException } from './RpcConnection.js';
import type { InternalTlsOptions } from '../security/InternalTlsContext.js';

const cleanups: Array<() => Promise<void> | void> = [];
const cleanupsAll: Array<() => void> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });
afterAll(() => { for (const c of cleanupsAll.splice(0)) c(); });

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

describe('control RPC over internal TLS (security.ssl.internal.*)', () => {
  // Two self-signed certificates: the cluster's (in the truststore) and a stranger's.
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-rpc-tls-'));
  cleanupsAll.push(() => rmSync(dir, { recursive: true, force: true }));
  const pem = (name: string): Buffer => {
    const key = join(dir, `${name}.key`), crt = join(dir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=tsflink-${name}`], { stdio: 'pipe' });
    return Buffer.concat([readFileSync(key), readFileSync(crt)]);
  };
  const cluster = pem('cluster');
  const stranger = pem('stranger');
  const ca = readFileSync(join(dir, 'cluster.crt'));
  const tls = (keyAndCert: Buffer): InternalTlsOptions => ({ key: keyAndCert, cert: keyAndCert, ca, minVersion: 'TLSv1.2' });

  async function tlsServer(log: string[]): Promise<number> {
    const s = new RpcServer('s3cret', (m, a) => (m === 'echo' ? a[0] : null), () => undefined, (m) => log.push(m), 10_000, tls(cluster));
    expect(s.encrypted).toBe(true);
    const { port } = await s.start('127.0.0.2', 0);
    cleanups.push(() => s.close());
    return port;
  }

  it('a client with the cluster certificate calls through TLS, the secret handshake inside', async () => {
    const port = await tlsServer([]);
    const client = await connectRpc('127.0.0.2', port, 's3cret', () => null, { tls: tls(cluster), attempts: 1 });
    cleanups.push(() => client.close());
    expect(await client.call('echo', [{ a: [1, 2] }])).toEqual({ a: [1, 2] });
    // and the wrong secret is still refused inside TLS
    await expect(connectRpc('127.0.0.2', port, 'wrong', () => null, { tls: tls(cluster), attempts: 3 })).rejects.toThrow(/cluster secret/);
  });

  it('refuses an untrusted certificate and plain TCP; the client gives up at once, saying what TLS needs', async () => {
    const log: string[] = [];
    const port = await tlsServer(log);
    const t0 = Date.now();
    const err = await connectRpc('127.0.0.2', port, 's3cret', () => null, { tls: tls(stranger), attempts: 10 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/(TLS handshake failed|closed the TLS connection during the handshake).*security\.ssl\.internal\.truststore/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // plain TCP: the server answers junk with a close, never with the secret handshake's hello
    const answer = await new Promise<string>((resolve) => {
      const sock = connectTcp({ host: '127.0.0.2', port }, () => sock.write('TSFA-not-tls\n'));
      let got = '';
      sock.on('data', (d: Buffer) => { got += d.toString('latin1'); });
      sock.on('error', () => undefined);
      sock.on('close', () => resolve(got));
    });
    expect(answer.startsWith('TSFA')).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(log.some((l) => /^Refused RPC connection from 127\.0\.0\.1?\d*:\d+: TLS:/.test(l) || /Refused RPC connection .*TLS/.test(l))).toBe(true);
  });
});
