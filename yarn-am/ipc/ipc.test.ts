import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccessControlException,
  ApplicationNotFoundException,
  DigestMd5Client,
  FrameReader,
  HadoopSiteConfig,
  InvalidResourceRequestException,
  IpcConnectError,
  IpcConnection,
  RemoteException,
  RpcTimeoutError,
  YarnException,
  decodeVarint,
  decodeWritableVLong,
  digestResponse,
  digestRspAuth,
  encodeVarint,
  encodeWritableVLong,
  findToken,
  frame,
  parseCredentials,
  parseDigestChallenge,
  pbDecode,
  pbEncode,
  pbEncodeDelimited,
  readCredentialsFile,
  readDelimited,
  remoteException,
  resolveRmEndpoint,
  rmClientEndpoint,
  rmSchedulerEndpoint,
  serializeCredentials,
  splitDelimited,
  type HadoopToken,
} from './index.js';

describe('varints', () => {
  it('protobuf varints round-trip', () => {
    for (const v of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
      const e = encodeVarint(v);
      expect(decodeVarint(e, 0)).toEqual({ value: v, next: e.length });
    }
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
  });

  it('Hadoop WritableUtils vints match Java byte layout', () => {
    expect([...encodeWritableVLong(0)]).toEqual([0]);
    expect([...encodeWritableVLong(127)]).toEqual([0x7f]);
    expect([...encodeWritableVLong(-112)]).toEqual([0x90]);
    expect([...encodeWritableVLong(128)]).toEqual([0x8f, 0x80]); // -113, one byte follows
    expect([...encodeWritableVLong(256)]).toEqual([0x8e, 0x01, 0x00]);
    expect([...encodeWritableVLong(-113)]).toEqual([0x87, 0x70]); // negative: one's complement 112
    for (const v of [0, 5, -1, -112, -113, 127, 128, 200, 255, 256, 65535, 65536, -65537, 2 ** 31 - 1, -(2 ** 31), 2 ** 45]) {
      const e = encodeWritableVLong(v);
      expect(decodeWritableVLong(e, 0)).toEqual({ value: v, next: e.length });
    }
  });
});

describe('framing', () => {
  it('frames delimited messages with a 4-byte big-endian length and splits them back', () => {
    const hdr = pbEncodeDelimited('hadoop.common.RpcRequestHeaderProto', { rpcKind: 2, rpcOp: 0, callId: -33, clientId: new Uint8Array(), retryCount: -1 });
    // callId -33 is sint32 (zig-zag 65 = 0x41), retryCount -1 zig-zags to 1.
    expect(Buffer.from(hdr).toString('hex')).toBe('0a08021000184122002801');
    const body = pbEncodeDelimited('hadoop.common.RpcSaslProto', { state: 1 });
    const f = frame([hdr, body]);
    expect(f.readUInt32BE(0)).toBe(hdr.length + body.length);
    const parts = splitDelimited(f.subarray(4));
    expect(parts).toHaveLength(2);
    expect(pbDecode('hadoop.common.RpcSaslProto', parts[1]!)).toEqual({ state: 1, auths: [] });
  });

  it('FrameReader reassembles frames split across and merged within TCP chunks', () => {
    const a = frame([encodeVarint(3), Uint8Array.of(1, 2, 3)]);
    const b = frame([encodeVarint(1), Uint8Array.of(9)]);
    const stream = Buffer.concat([a, b]);
    const r = new FrameReader();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) got.push(...r.push(stream.subarray(i, i + 3)));
    expect(got.map((g) => g.toString('hex'))).toEqual([a.subarray(4).toString('hex'), b.subarray(4).toString('hex')]);
    const r2 = new FrameReader();
    expect(r2.push(stream)).toHaveLength(2);
  });

  it('response callId is uint32: -33 arrives as 4294967263 and maps back with |0', () => {
    const bytes = pbEncode('hadoop.common.RpcResponseHeaderProto', { callId: 4294967263, status: 0 });
    const h = pbDecode('hadoop.common.RpcResponseHeaderProto', bytes);
    expect(Number(h['callId']) | 0).toBe(-33);
  });
});

describe('SASL DIGEST-MD5 (RFC 2831)', () => {
  // RFC 2831 §4 example: IMAP, user chris / secret.
  const rfc = {
    username: 'chris',
    password: 'secret',
    realm: 'elwood.innosoft.com',
    nonce: 'OA6MG9tEQGm2hh',
    cnonce: 'OA6MHXh6VqTrRk',
    nc: '00000001',
    qop: 'auth',
    digestUri: 'imap/elwood.innosoft.com',
  };

  it('computes the RFC test vector response and rspauth', () => {
    expect(digestResponse(rfc)).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(digestRspAuth(rfc)).toBe('ea40f60335c427b5527b84dbabcdfffd');
  });

  it('answers a challenge like the RFC client and verifies rspauth', () => {
    const c = new DigestMd5Client('chris', 'secret', 'imap', 'elwood.innosoft.com', 'OA6MHXh6VqTrRk');
    const out = c
      .evaluateChallenge(Buffer.from('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'))
      .toString();
    const fields = parseDigestChallenge(out);
    expect(fields.get('response')).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(fields.get('digest-uri')).toBe('imap/elwood.innosoft.com');
    expect(fields.get('username')).toBe('chris');
    expect(fields.get('nc')).toBe('00000001');
    expect(() => c.verifyServerFinal(Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'))).not.toThrow();
    expect(() => c.verifyServerFinal(Buffer.from('rspauth=00000000000000000000000000000000'))).toThrow(/rspauth mismatch/);
  });

  it('parses quoted values with escapes and refuses qop without auth', () => {
    const m = parseDigestChallenge('realm="a\\"b",nonce=xyz, qop="auth-conf"');
    expect(m.get('realm')).toBe('a"b');
    expect(m.get('nonce')).toBe('xyz');
    const c = new DigestMd5Client('u', 'p', '', 'default');
    expect(() => c.evaluateChallenge(Buffer.from('nonce="n",qop="auth-conf",algorithm=md5-sess'))).toThrow(/only "auth"/);
  });
});

describe('credentials (token storage) files', () => {
  const amrm: HadoopToken = {
    identifier: Buffer.alloc(300, 7), // > 127 bytes: exercises multi-byte vints
    password: Buffer.from('pw-bytes'),
    kind: 'YARN_AM_RM_TOKEN',
    service: '',
  };
  const nm: HadoopToken = { identifier: Buffer.from('nm-id'), password: Buffer.from('nm-pw'), kind: 'NMToken', service: 'localhost:1234' };

  it('reads the Writable (HDTS version 0) format', () => {
    const bytes = serializeCredentials({ tokens: [['appattempt_1_0001_000001', amrm], ['nm', nm]], secrets: [['s', Buffer.from('secret')]] });
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('HDTS\u0000');
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-cred-'));
    writeFileSync(join(dir, 'container_tokens'), bytes);
    const c = readCredentialsFile(join(dir, 'container_tokens'));
    expect(c.tokens.size).toBe(2);
    const t = findToken(c, 'YARN_AM_RM_TOKEN')!;
    expect(Buffer.from(t.identifier).equals(Buffer.from(amrm.identifier))).toBe(true);
    expect(Buffer.from(t.password).toString()).toBe('pw-bytes');
    expect(t.service).toBe('');
    expect(findToken(c, 'NMToken', 'localhost:1234')?.kind).toBe('NMToken');
    expect(Buffer.from(c.secrets.get('s')!).toString()).toBe('secret');
  });

  it('reads a hand-built Writable file byte for byte', () => {
    // HDTS, v0, 1 token: alias "a", id [1,2], pw [3], kind "K", service "S"; 0 secrets.
    const bytes = Buffer.from([...Buffer.from('HDTS'), 0, 1, 1, 0x61, 2, 1, 2, 1, 3, 1, 0x4b, 1, 0x53, 0]);
    const c = parseCredentials(bytes);
    expect([...c.tokens.keys()]).toEqual(['a']);
    const t = c.tokens.get('a')!;
    expect([...t.identifier]).toEqual([1, 2]);
    expect([...t.password]).toEqual([3]);
    expect(t.kind).toBe('K');
    expect(t.service).toBe('S');
  });

  it('reads the protobuf (HDTS version 1) format', () => {
    const body = pbEncodeDelimited('hadoop.common.CredentialsProto', {
      tokens: [{ alias: 'x', token: { identifier: nm.identifier, password: nm.password, kind: nm.kind, service: nm.service } }],
      secrets: [{ alias: 'k', secret: Buffer.from('v') }],
    });
    const c = parseCredentials(Buffer.concat([Buffer.from('HDTS'), Buffer.of(1), body]));
    expect(c.tokens.get('x')?.service).toBe('localhost:1234');
    expect(Buffer.from(c.secrets.get('k')!).toString()).toBe('v');
  });

  it('rejects files without the magic', () => {
    expect(() => parseCredentials(Buffer.from('NOPE\u0000'))).toThrow(/HDTS/);
  });
});

describe('RemoteException mapping', () => {
  it('maps YARN and Hadoop exception classes to typed errors', () => {
    const e = remoteException(
      'org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException',
      "Application with id 'application_1_0001' doesn't exist in RM.\n\tat org.apache.hadoop...",
      1,
    );
    expect(e).toBeInstanceOf(ApplicationNotFoundException);
    expect(e).toBeInstanceOf(YarnException);
    expect(e).toBeInstanceOf(RemoteException);
    expect(e.serverMessage).toBe("Application with id 'application_1_0001' doesn't exist in RM.");
    expect(e.message).toBe("ApplicationNotFoundException: Application with id 'application_1_0001' doesn't exist in RM.");
    expect(e.className).toBe('org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException');
    expect(e.errorCode).toBe(1);
    expect(remoteException('org.apache.hadoop.yarn.exceptions.InvalidResourceRequestException', 'too big')).toBeInstanceOf(InvalidResourceRequestException);
    expect(remoteException('org.apache.hadoop.security.AccessControlException', 'denied')).toBeInstanceOf(AccessControlException);
    expect(remoteException('org.apache.hadoop.security.authorize.AuthorizationException', 'denied')).toBeInstanceOf(AccessControlException);
    expect(remoteException('org.apache.hadoop.yarn.exceptions.SomethingNewException', 'x')).toBeInstanceOf(YarnException);
    const plain = remoteException('java.io.IOException', 'boom');
    expect(plain.constructor).toBe(RemoteException);
    expect(plain.simpleClassName).toBe('IOException');
  });
});

describe('site configuration', () => {
  it('reads *-site.xml values and names their source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-conf-'));
    writeFileSync(
      join(dir, 'yarn-site.xml'),
      `<?xml version="1.0"?><configuration>
        <!-- <property><name>yarn.resourcemanager.address</name><value>commented:1</value></property> -->
        <property><name>yarn.resourcemanager.address</name><value>rm.example:18032</value></property>
        <property>
          <name>yarn.resourcemanager.hostname</name>
          <value>rm&amp;host</value>
        </property>
      </configuration>`,
    );
    const conf = HadoopSiteConfig.load(dir);
    expect(rmClientEndpoint(conf)).toEqual({ host: 'rm.example', port: 18032, source: `yarn.resourcemanager.address in ${join(dir, 'yarn-site.xml')}` });
    const sched = rmSchedulerEndpoint(conf);
    expect(sched.port).toBe(8030);
    expect(sched.host).toBe('rm&host');
    expect(sched.source).toMatch(/yarn.resourcemanager.hostname/);
    const empty = new HadoopSiteConfig();
    expect(resolveRmEndpoint(empty, 'yarn.resourcemanager.address', 8032)).toMatchObject({ host: '127.0.0.1', port: 8032 });
    expect(resolveRmEndpoint(empty, 'yarn.resourcemanager.address', 8032).source).toMatch(/default/);
  });
});

/**
 * A tiny in-test IPC peer that speaks the framing (not YARN itself): checks our client's
 * handshake bytes, multiplexing, error mapping, timeouts and pings.
 */
describe('IpcConnection against a framing-level peer', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  function startPeer(onFrame: (sock: Socket, callId: number, method: string | undefined, raw: Buffer) => void): Promise<number> {
    server = createServer((sock) => {
      const reader = new FrameReader();
      let preamble: Buffer | undefined = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        let data = d;
        if (preamble !== undefined) {
          preamble = Buffer.concat([preamble, data]);
          if (preamble.length < 7) return;
          expect(preamble.subarray(0, 7)).toEqual(Buffer.from([0x68, 0x72, 0x70, 0x63, 9, 0, 0]));
          data = preamble.subarray(7);
          preamble = undefined;
        }
        for (const f of reader.push(data)) {
          const { message, next } = readDelimited(f);
          const h = pbDecode('hadoop.common.RpcRequestHeaderProto', message);
          const callId = Number(h['callId']);
          let method: string | undefined;
          if (callId >= 0) method = String(pbDecode('hadoop.common.RequestHeaderProto', readDelimited(f, next).message)['methodName']);
          onFrame(sock, callId, method, f);
        }
      });
    });
    return new Promise((res) => server!.listen(0, '127.0.0.1', () => res((server!.address() as AddressInfo).port)));
  }

  function reply(sock: Socket, callId: number, body?: Uint8Array, error?: { cls: string; msg: string }): void {
    const hdr = pbEncodeDelimited('hadoop.common.RpcResponseHeaderProto', {
      callId: callId >>> 0,
      status: error ? 1 : 0,
      ...(error ? { exceptionClassName: error.cls, errorMsg: error.msg, errorDetail: 1 } : {}),
    });
    sock.write(frame(body ? [hdr, body] : [hdr]));
  }

  const appReport = (id: number): Uint8Array =>
    pbEncodeDelimited('hadoop.yarn.GetApplicationReportResponseProto', { application_report: { applicationId: { id, cluster_timestamp: 1 } } });

  it('multiplexes calls by callId (out-of-order replies), maps ERROR to RemoteException and keeps the connection', async () => {
    const seen: Array<[number, string | undefined]> = [];
    let first: { sock: Socket; id: number } | undefined;
    const port = await startPeer((sock, callId, method) => {
      seen.push([callId, method]);
      if (callId < 0) return; // connection context
      if (callId === 0) first = { sock, id: callId }; // answer later, after call 1
      else if (callId === 1) {
        reply(sock, 1, appReport(11));
        reply(first!.sock, 0, appReport(10));
      } else reply(sock, callId, undefined, { cls: 'org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException', msg: 'no such app\n\tat x' });
    });
    const conn = await IpcConnection.open({ host: '127.0.0.1', port, protocol: 'test.Proto', auth: { method: 'SIMPLE', user: 'alice' } });
    const req = { application_id: { id: 1, cluster_timestamp: 1 } };
    const [a, b] = await Promise.all([
      conn.call('getApplicationReport', 'hadoop.yarn.GetApplicationReportRequestProto', req),
      conn.call('getApplicationReport', 'hadoop.yarn.GetApplicationReportRequestProto', req),
    ]);
    const T = 'hadoop.yarn.GetApplicationReportResponseProto';
    expect((pbDecode(T, a)['application_report'] as { applicationId: { id: number } }).applicationId.id).toBe(10);
    expect((pbDecode(T, b)['application_report'] as { applicationId: { id: number } }).applicationId.id).toBe(11);
    await expect(conn.call('getApplicationReport', 'hadoop.yarn.GetApplicationReportRequestProto', req)).rejects.toBeInstanceOf(ApplicationNotFoundException);
    const again = conn.call('getApplicationReport', 'hadoop.yarn.GetApplicationReportRequestProto', req);
    await expect(again).rejects.toThrow(/no such app/);
    expect(conn.isOpen).toBe(true);
    expect(seen[0]).toEqual([-3, undefined]);
    expect(seen.slice(1, 3)).toEqual([
      [0, 'getApplicationReport'],
      [1, 'getApplicationReport'],
    ]);
    conn.close();
  });

  it('times out a call without an answer and sends pings (callId -4) when idle', async () => {
    const ids: number[] = [];
    const port = await startPeer((_s, callId) => ids.push(callId));
    const conn = await IpcConnection.open({ host: '127.0.0.1', port, protocol: 'p', auth: { method: 'SIMPLE', user: 'u' }, pingIntervalMs: 1000 });
    await expect(conn.call('m', 'hadoop.yarn.GetNewApplicationRequestProto', {}, 300)).rejects.toBeInstanceOf(RpcTimeoutError);
    await new Promise((r) => setTimeout(r, 2200));
    expect(ids).toContain(-4);
    conn.close();
  });

  it('reports a refused connection with the address and where it came from', async () => {
    const probe = createServer();
    const port = await new Promise<number>((res) => probe.listen(0, '127.0.0.1', () => res((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const err = await IpcConnection.open({
      host: '127.0.0.1',
      port,
      addressSource: 'yarn.resourcemanager.address in /x/yarn-site.xml',
      protocol: 'p',
      auth: { method: 'SIMPLE', user: 'u' },
      connectAttempts: 2,
      connectRetryDelayMs: 10,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcConnectError);
    expect((err as IpcConnectError).name).toBe('ConnectionRefused');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toContain('yarn.resourcemanager.address in /x/yarn-site.xml');
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as IpcConnectError).attempts).toBe(2);
  });
});
