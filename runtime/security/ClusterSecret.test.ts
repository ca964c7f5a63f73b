import { describe, it, expect, afterEach } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { serverHandshake, clientHandshake, generateClusterSecret, AuthenticationError } from './ClusterSecret.js';

const open: Array<Server | Socket> = [];
afterEach(() => { for (const x of open.splice(0)) (x as Socket).destroy?.() ?? (x as Server).close(); });

/** A server and a client socket, each running its side of the handshake with its own secret. */
async function handshake(serverSecret: string, clientSecret: string): Promise<{ server: Promise<Socket>; client: Promise<Socket> }> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => { accept = r; });
  const srv = createServer((s) => { s.pause(); accept(s); });
  open.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const c = connect((srv.address() as { port: number }).port, '127.0.0.1');
  open.push(c);
  await new Promise<void>((r) => c.once('connect', () => r()));
  c.pause();
  const server = accepted.then(async (s) => { open.push(s); await serverHandshake(s, serverSecret, 2000); return s; });
  const client = clientHandshake(c, clientSecret, 2000).then(() => c);
  // Mark as handled now; the tests still see the rejections when they await them.
  server.catch(() => {}); client.catch(() => {});
  return { server, client };
}

describe('cluster secret handshake', () => {
  it('succeeds with the same secret and leaves the stream to the protocol', async () => {
    const s = generateClusterSecret();
    const { server, client } = await handshake(s, s);
    const [srv, cli] = await Promise.all([server, client]);
    const got = new Promise<string>((r) => srv.once('data', (d: Buffer) => r(d.toString())));
    srv.resume();
    cli.write('hello');
    expect(await got).toBe('hello');
  });

  it('refuses a wrong secret on both sides', async () => {
    const { server, client } = await handshake(generateClusterSecret(), generateClusterSecret());
    await expect(server).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('a peer that is not a tsflink endpoint is rejected by the client', async () => {
    const srv = createServer((s) => { s.end('HTTP/1.1 400 Bad Request\r\n\r\n'); });
    open.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = connect((srv.address() as { port: number }).port, '127.0.0.1');
    open.push(c);
    await new Promise<void>((r) => c.once('connect', () => r()));
    await expect(clientHandshake(c, 'x', 2000)).rejects.toThrow(/not a tsflink endpoint|closed the connection/);
  });
});

describe('handshake robustness', () => {
  it('a peer sending a burst of garbage is refused without crashing the server', async () => {
    let result!: Promise<unknown>;
    // Settled into a value at once, so the rejection is never unhandled while the test sleeps.
    const srv = createServer((s) => { s.pause(); result = serverHandshake(s, 'k', 2000).then(() => null, (e: unknown) => e); });
    open.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = connect((srv.address() as { port: number }).port, '127.0.0.1');
    open.push(c);
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.on('error', () => {});
    c.write(Buffer.alloc(500, 7));
    await new Promise((r) => setTimeout(r, 100));
    expect(await result).toBeInstanceOf(AuthenticationError);
  });
});
