import { describe, it, expect } from 'vitest';
import { createServer, connect, type Socket } from 'node:net';
import { serverHandshake, clientHandshake, generateClusterSecret, AuthenticationError } from './ClusterSecret.js';

async function pair(serverSecret: string, clientSecret: string): Promise<{ server: Promise<void>; client: Promise<void>; close: () => void; srvSock: Promise<Socket>; cliSock: Socket }> {
  let resolveSock!: (s: Socket) => void;
  const srvSock = new Promise<Socket>((r) => { resolveSock = r; });
  let serverP!: Promise<void>;
  const ready = new Promise<void>((r) => {
    const srv = createServer((s) => { serverP = serverHandshake(s, serverSecret, 2000); resolveSock(s); r(); });
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      const c = connect(port, '127.0.0.1');
      (pair as unknown as { last: { c: Socket; srv: typeof srv } }).last = { c, srv };
    });
  });
  await new Promise((r) => setTimeout(r, 50));
  const { c, srv } = (pair as unknown as { last: { c: Socket; srv: ReturnType<typeof createServer> } }).last;
  const client = clientHandshake(c, clientSecret, 2000);
  await ready;
  return { server: serverP, client, close: () => { c.destroy(); srv.close(); }, srvSock, cliSock: c };
}

describe('cluster secret handshake', () => {
  it('succeeds with the same secret and leaves the stream for the protocol', async () => {
    const s = generateClusterSecret();
    const p = await pair(s, s);
    await Promise.all([p.server, p.client]);
    const srv = await p.srvSock;
    const got = new Promise<string>((r) => srv.once('data', (d) => r(d.toString())));
    srv.resume();
    p.cliSock.write('hello');
    expect(await got).toBe('hello');
    p.close();
  });

  it('refuses a wrong secret on both sides, without the secret on the wire', async () => {
    const p = await pair(generateClusterSecret(), generateClusterSecret());
    await expect(p.server).rejects.toBeInstanceOf(AuthenticationError);
    await expect(p.client).rejects.toThrow(AuthenticationError);
    p.close();
  });
});
