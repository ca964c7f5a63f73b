import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameReader, digestResponse, digestRspAuth, frame, parseDigestChallenge, pbDecode, pbEncodeDelimited, readDelimited, type HadoopToken, type PbObject } from '../ipc/index.js';
import { AMRMClient } from './AMRMClient.js';
import { parseContainerId, formatContainerId, localResourceFromUri } from './records.js';

/**
 * A framing-level AM→RM peer with its own DIGEST-MD5 server side, to check what only a long-running
 * cluster would show: the AMRMToken roll-over switches the token for the next connection, and
 * response_id is echoed. (The real protocol exchange is covered by integration/yarn.)
 */
describe('AMRMClient against a SASL-speaking peer', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  const tokA: HadoopToken = { identifier: Buffer.from('token-A'), password: Buffer.from('pw-A'), kind: 'YARN_AM_RM_TOKEN', service: '' };
  const tokB: HadoopToken = { identifier: Buffer.from('token-B'), password: Buffer.from('pw-B'), kind: 'YARN_AM_RM_TOKEN', service: '' };
  const passwords = new Map([
    ['token-A', 'pw-A'],
    ['token-B', 'pw-B'],
  ]);

  it('authenticates with DIGEST-MD5, echoes response_id and switches to a rolled AMRMToken', async () => {
    const calls: Array<{ conn: number; user: string; method: string; responseId?: number }> = [];
    let connCount = 0;
    server = createServer((sock: Socket) => {
      const conn = ++connCount;
      const reader = new FrameReader();
      let pre: Buffer | undefined = Buffer.alloc(0);
      let user = '';
      const nonce = 'n0nce' + conn;
      const send = (callId: number, parts: Uint8Array[], status = 0): void => {
        sock.write(frame([pbEncodeDelimited('hadoop.common.RpcResponseHeaderProto', { callId: callId >>> 0, status }), ...parts]));
      };
      sock.on('data', (d: Buffer) => {
        let data = d;
        if (pre !== undefined) {
          pre = Buffer.concat([pre, data]);
          if (pre.length < 7) return;
          expect(pre[6]).toBe(0xdf); // SASL auth protocol
          data = pre.subarray(7);
          pre = undefined;
        }
        for (const f of reader.push(data)) {
          const h = readDelimited(f);
          const callId = Number(pbDecode('hadoop.common.RpcRequestHeaderProto', h.message)['callId']);
          const rest = readDelimited(f, h.next);
          if (callId === -33) {
            const sasl = pbDecode('hadoop.common.RpcSaslProto', rest.message);
            if (sasl['state'] === 1) {
              const challenge = Buffer.from(`realm="default",nonce="${nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`);
              send(-33, [
                pbEncodeDelimited('hadoop.common.RpcSaslProto', {
                  state: 1,
                  auths: [{ method: 'TOKEN', mechanism: 'DIGEST-MD5', protocol: '', serverId: 'default', challenge }],
                }),
              ]);
            } else {
              const r = parseDigestChallenge(Buffer.from(sasl['token'] as Uint8Array).toString());
              const id = Buffer.from(r.get('username')!, 'base64').toString();
              const params = {
                username: r.get('username')!,
                password: Buffer.from(passwords.get(id) ?? '').toString('base64'),
                realm: 'default',
                nonce,
                cnonce: r.get('cnonce')!,
                nc: r.get('nc')!,
                qop: 'auth',
                digestUri: r.get('digest-uri')!,
              };
              expect(params.digestUri).toBe('/default');
              if (r.get('response') !== digestResponse(params)) {
                send(-33, [], 2);
                sock.destroy();
                return;
              }
              user = id;
              send(-33, [pbEncodeDelimited('hadoop.common.RpcSaslProto', { state: 0, token: Buffer.from(`rspauth=${digestRspAuth(params)}`) })]);
            }
          } else if (callId === -3) {
            const ctx = pbDecode('hadoop.common.IpcConnectionContextProto', rest.message);
            expect(ctx['protocol']).toBe('org.apache.hadoop.yarn.api.ApplicationMasterProtocolPB');
          } else if (callId >= 0) {
            const method = String(pbDecode('hadoop.common.RequestHeaderProto', rest.message)['methodName']);
            const body = readDelimited(f, rest.next).message;
            if (method === 'registerApplicationMaster') {
              calls.push({ conn, user, method });
              send(callId, [pbEncodeDelimited('hadoop.yarn.RegisterApplicationMasterResponseProto', { maximumCapability: { memory: 4096, virtual_cores: 4 }, queue: 'default' })]);
            } else if (method === 'allocate') {
              const req = pbDecode('hadoop.yarn.AllocateRequestProto', body) as PbObject;
              const responseId = Number(req['response_id'] ?? 0);
              calls.push({ conn, user, method, responseId });
              const resp: PbObject = { response_id: responseId + 1, num_cluster_nodes: 2 };
              if (responseId === 0) resp['am_rm_token'] = { identifier: tokB.identifier, password: tokB.password, kind: tokB.kind, service: '' };
              send(callId, [pbEncodeDelimited('hadoop.yarn.AllocateResponseProto', resp)]);
            }
          }
        }
      });
    });
    const port = await new Promise<number>((res) => server!.listen(0, '127.0.0.1', () => res((server!.address() as AddressInfo).port)));
    const am = new AMRMClient({ endpoint: { host: '127.0.0.1', port, source: 'test' }, amrmToken: tokA });
    const reg = await am.registerApplicationMaster({ host: 'h' });
    expect(reg.maximumCapability).toEqual({ memoryMb: 4096, vcores: 4 });
    const r1 = await am.allocate();
    expect(r1.amrmTokenRolled).toBe(true);
    expect(r1.responseId).toBe(1);
    expect(Buffer.from(am.amrmToken.identifier).toString()).toBe('token-B');
    const r2 = await am.allocate();
    expect(r2.responseId).toBe(2);
    am.close();
    expect(calls).toEqual([
      { conn: 1, user: 'token-A', method: 'registerApplicationMaster' },
      { conn: 1, user: 'token-A', method: 'allocate', responseId: 0 },
      { conn: 2, user: 'token-B', method: 'allocate', responseId: 1 },
    ]);
  });
});

describe('records', () => {
  it('formats and parses container ids (with epoch) like Hadoop', () => {
    const c = parseContainerId('container_e17_1795610602429_0002_01_000001');
    expect(c.id).toBe(17 * 2 ** 40 + 1);
    expect(formatContainerId(c)).toBe('container_e17_1795610602429_0002_01_000001');
    expect(formatContainerId(parseContainerId('container_1795610602429_0002_01_000003'))).toBe('container_1795610602429_0002_01_000003');
  });

  it('builds local resources from hdfs URIs', () => {
    expect(localResourceFromUri('hdfs://nn:8020/user/a/.tsflink/app_1/job.js', 10, 1234)).toEqual({
      url: { scheme: 'hdfs', host: 'nn', port: 8020, file: '/user/a/.tsflink/app_1/job.js' },
      size: 10,
      timestamp: 1234,
      type: 'FILE',
      visibility: 'APPLICATION',
    });
  });
});
