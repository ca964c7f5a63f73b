// TLS end to end: a JobManager on 127.0.0.2 and TaskManagers on 127.0.0.3 (PEM keystore) and
// 127.0.0.4 (PKCS#12 keystore) with internal TLS on RPC and the data plane, and REST over HTTPS
// with client certificates; a keyed p=2 job submitted by the CLI over HTTPS runs exactly; clients
// without the right certificate are refused by the data ports, the RPC port and REST (mutual authentication).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as connectTcp, createServer } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { waitFor } from '../testing/waitFor.js';
import { Configuration } from '../configuration/index.js';
import { TlsConfigurationError, loadInternalTls } from './SSLUtils.js';

const root = resolve(import.meta.dirname, '../..');
const cliPath = join(root, 'cli/bin/run.js');
const JM = '127.0.0.2';
let work: string;
let rpcPort: number;
let restPort: number;
const procs: ChildProcess[] = [];
const logs = new Map<ChildProcess, { out: string; err: string }>();
const P12_PASSWORD = 'p12-secret';

const freePort = (host: string): Promise<number> => new Promise((r) => { const s = createServer(); s.listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });

/** A self-signed certificate and key (PEM) in `dir`/<name>.{key,crt,pem}; `san` e.g. "IP:127.0.0.2". */
function selfSigned(dir: string, name: string, san?: string): { key: string; crt: string; pem: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=tsflink-${name}`,
    ...(san ? ['-addext', `subjectAltName=${san}`] : [])], { stdio: 'pipe' });
  const pem = join(dir, `${name}.pem`);
  writeFileSync(pem, readFileSync(key, 'utf8') + readFileSync(crt, 'utf8'));
  return { key, crt, pem };
}

function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [cliPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const l = { out: '', err: '' };
  p.stdout!.on('data', (d: Buffer) => { l.out += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { l.err += d.toString(); });
  logs.set(p, l);
  procs.push(p);
  return p;
}
const exited = (p: ChildProcess): Promise<number | null> => new Promise((r) => { if (p.exitCode !== null || p.signalCode !== null) r(p.exitCode); else p.on('exit', (c) => r(c)); });
const token = (): string => readFileSync(join(work, 'rest-token'), 'utf8').trim();
/** An HTTPS request to REST; `cert: false` = without a client certificate. */
function https(path: string, opts: { cert?: boolean; ca?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(`https://${JM}:${restPort}${path}`, {
      headers: { authorization: `Bearer ${token()}` },
      ...(opts.ca !== false ? { ca: readFileSync(rest.crt) } : {}),
      ...(opts.cert !== false ? { key: readFileSync(rest.key), cert: readFileSync(rest.crt) } : {}),
    }, (res) => { let body = ''; res.on('data', (d: Buffer) => { body += d.toString(); }); res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body })); });
    req.on('error', reject);
    req.end();
  });
}
const get = async <T>(path: string): Promise<T> => JSON.parse((await https(path)).body) as T;
// Internal TLS on every process: the JobManager's RPC endpoint requires it too.
const jmConf = (): string[] => ['-D', `jobmanager.rpc.address=${JM}`, '-D', `jobmanager.rpc.port=${rpcPort}`, '-D', 'heartbeat.interval=500 ms', ...tlsConf(cert.pem)];
/** REST over HTTPS with client certificates; a client passes the same keys (its keystore is the certificate it presents). */
const restTls = (): string[] => ['-D', 'security.ssl.rest.enabled=true', '-D', `security.ssl.rest.keystore=${rest.pem}`,
  '-D', `security.ssl.rest.truststore=${rest.crt}`, '-D', 'security.ssl.rest.authentication-enabled=true'];

let cert: { key: string; crt: string; pem: string };
let stranger: { key: string; crt: string; pem: string };
let rest: { key: string; crt: string; pem: string };
let p12: string;
const tlsConf = (keystore: string, extra: string[] = []): string[] =>
  ['-D', 'security.ssl.internal.enabled=true', '-D', `security.ssl.internal.keystore=${keystore}`, '-D', `security.ssl.internal.truststore=${cert.crt}`, ...extra];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-tls-'));
  cert = selfSigned(work, 'cluster');
  stranger = selfSigned(work, 'stranger');
  rest = selfSigned(work, 'rest', `IP:${JM}`);
  p12 = join(work, 'cluster.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', cert.key, '-in', cert.crt, '-out', p12, '-passout', `pass:${P12_PASSWORD}`], { stdio: 'pipe' });
  rpcPort = await freePort(JM);
  restPort = await freePort(JM);
  const jm = start(['jobmanager', '--work-dir', work, ...jmConf(), ...restTls(), '-D', `rest.address=${JM}`, '-D', `rest.bind-address=${JM}`, '-D', `rest.port=${restPort}`]);
  await waitFor('the JobManager', () => logs.get(jm)!.out.includes('JobManager started'), 30_000, 50);
  start(['taskmanager', '--work-dir', work, ...jmConf(), '-D', 'taskmanager.host=127.0.0.3', '-D', 'taskmanager.numberOfTaskSlots=1']);
  // the PKCS#12 keystore replaces the PEM one of jmConf (the later -D wins)
  start(['taskmanager', '--work-dir', work, ...jmConf(), '-D', 'taskmanager.host=127.0.0.4', '-D', 'taskmanager.numberOfTaskSlots=1',
    ...tlsConf(p12, ['-D', `security.ssl.internal.keystore-password=${P12_PASSWORD}`])]);
  await waitFor('two TaskManagers', async () => (await get<{ taskmanagers: unknown[] }>('/taskmanagers')).taskmanagers.length === 2, 30_000, 100);
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => exited(p)));
  rmSync(work, { recursive: true, force: true });
});

/** What a client gets from a data port: 'TSFA' = the secret handshake's hello reached it (TLS passed). */
function probe(port: number, host: string, how: 'plain' | 'no-cert' | 'stranger' | 'cluster'): Promise<string> {
  return new Promise((resolvePromise) => {
    const opts = { host, port, rejectUnauthorized: false, checkServerIdentity: () => undefined };
    const sock = how === 'plain' ? connectTcp({ host, port })
      : connectTls(how === 'no-cert' ? opts : { ...opts, key: readFileSync(how === 'stranger' ? stranger.key : cert.key), cert: readFileSync(how === 'stranger' ? stranger.crt : cert.crt) });
    let got = '';
    const done = (why: string): void => { sock.destroy(); resolvePromise(got.startsWith('TSFA') ? 'TSFA' : why); };
    sock.on('data', (d: Buffer) => { got += d.toString('latin1'); if (got.length >= 4) done('data'); });
    sock.on('error', (e) => done(`error: ${e.message}`));
    sock.on('close', () => done('closed'));
    if (how === 'plain') sock.on('connect', () => sock.write('TSFA-not-tls\n'));
    setTimeout(() => done('timeout'), 5_000);
  });
}

describe('security.ssl.internal.enabled + security.ssl.rest.enabled: TLS on RPC, the data plane and REST', () => {
  it('a keyed job at p=2 across TaskManagers on 127.0.0.3/.4, submitted over HTTPS, gives exact counts', () => {
    for (const p of procs.slice(1)) expect(logs.get(p)!.out + logs.get(p)!.err).toContain('(TLS, client certificates required)');
    const jmLog = logs.get(procs[0]!)!.out + logs.get(procs[0]!)!.err;
    expect(jmLog).toMatch(/RPC endpoint listening on 127\.0\.0\.2:\d+, advertised as 127\.0\.0\.2:\d+ \(TLS, client certificates required\)/);
    expect(jmLog).toMatch(/REST endpoint listening at https:\/\/127\.0\.0\.2:\d+ .*HTTPS, client certificates required/);
    const out = join(work, 'wc-out');
    const r = spawnSync(process.execPath, [cliPath, 'run', '-m', `${JM}:${restPort}`, '--work-dir', work, ...restTls(), '-p', '2', join(root, 'runtime/entrypoint/fixtures/slow-wordcount.ts'), out, '3000', '0'],
      { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const counts = Object.fromEntries(readdirSync(out).filter((f) => !f.startsWith('.'))
      .flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => { const [w, n] = l.split(' '); return [w!, Number(n)] as const; }));
    expect(counts).toEqual({ alpha: 1200, beta: 1200, gamma: 1200, delta: 1200, epsilon: 1200 });
  }, 120_000);

  it('mutual authentication: only a client with a trusted certificate gets past TLS to the secret handshake', async () => {
    const tms = (await get<{ taskmanagers: Array<{ path: string; dataPort: number }> }>('/taskmanagers')).taskmanagers;
    for (const tm of tms) {
      const host = /^tsflink:\/\/([^:/]+)/.exec(tm.path)![1]!;
      expect(await probe(tm.dataPort, host, 'cluster')).toBe('TSFA');
      expect(await probe(tm.dataPort, host, 'no-cert')).not.toBe('TSFA');
      expect(await probe(tm.dataPort, host, 'stranger')).not.toBe('TSFA');
      expect(await probe(tm.dataPort, host, 'plain')).not.toBe('TSFA');
    }
    await waitFor('the refusals in the TaskManager logs', () => procs.slice(1).every((p) => /refused data connection from 127\.0\.0\.\d+:\d+: TLS:/.test(logs.get(p)!.out + logs.get(p)!.err)), 10_000, 100);
  }, 60_000);

  it('RPC: only a client with a trusted certificate gets past TLS to the secret handshake', async () => {
    expect(await probe(rpcPort, JM, 'cluster')).toBe('TSFA');
    expect(await probe(rpcPort, JM, 'stranger')).not.toBe('TSFA');
    expect(await probe(rpcPort, JM, 'plain')).not.toBe('TSFA');
  }, 30_000);

  it('REST: HTTPS with a client certificate answers; without one, or plain HTTP, nothing is served', async () => {
    expect((await https('/overview')).status).toBe(200);
    await expect(https('/overview', { cert: false })).rejects.toThrow();
    await expect(fetch(`http://${JM}:${restPort}/overview`, { headers: { authorization: `Bearer ${token()}` } })).rejects.toThrow();
    // the CLI over HTTPS: works with the keys, explains what is missing without them
    const ok = spawnSync(process.execPath, [cliPath, 'list', '-m', `${JM}:${restPort}`, '--work-dir', work, ...restTls()], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const noCa = spawnSync(process.execPath, [cliPath, 'list', '-m', `${JM}:${restPort}`, '--work-dir', work, '-D', 'security.ssl.rest.enabled=true',
      '-D', 'security.ssl.rest.authentication-enabled=true', '-D', `security.ssl.rest.keystore=${rest.pem}`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(noCa.status).not.toBe(0);
    expect(noCa.stderr).toMatch(/https:\/\/127\.0\.0\.2:\d+ .*TLS: .*security\.ssl\.rest\.truststore/s);
    const plain = spawnSync(process.execPath, [cliPath, 'list', '-m', `${JM}:${restPort}`, '--work-dir', work], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/security\.ssl\.rest\.enabled=true/);
  }, 90_000);

  it('a TaskManager with a wrong keystore password fails at start-up, naming the key', async () => {
    const tm = start(['taskmanager', '--work-dir', work, ...jmConf(), '-D', 'taskmanager.host=127.0.0.5', ...tlsConf(p12, ['-D', 'security.ssl.internal.keystore-password=wrong'])]);
    expect(await exited(tm)).not.toBe(0);
    expect(logs.get(tm)!.out + logs.get(tm)!.err).toMatch(/Internal TLS: cannot use security\.ssl\.internal\.keystore=.*cluster\.p12.*security\.ssl\.internal\.keystore-password/);
  }, 60_000);
});

describe('loadInternalTls', () => {
  const conf = (kv: Record<string, string>): Configuration => { const c = new Configuration(); for (const [k, v] of Object.entries(kv)) c.setString(k, v); return c; };
  it('is off unless enabled, and names what is missing', () => {
    expect(loadInternalTls(new Configuration())).toBeUndefined();
    expect(() => loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true' }))).toThrow(TlsConfigurationError);
    expect(() => loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true' }))).toThrow(/needs security\.ssl\.internal\.keystore/);
    expect(() => loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true', 'security.ssl.internal.keystore': cert.pem }))).toThrow(/needs security\.ssl\.internal\.truststore/);
    expect(() => loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true', 'security.ssl.internal.keystore': join(work, 'nope.p12'), 'security.ssl.internal.truststore': cert.crt })))
      .toThrow(/security\.ssl\.internal\.keystore=.*nope\.p12: no such file/);
    expect(() => loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true', 'security.ssl.internal.keystore': cert.pem, 'security.ssl.internal.truststore': cert.crt, 'security.ssl.protocol': 'SSLv3' })))
      .toThrow(/security\.ssl\.protocol=SSLv3 is not supported/);
    const ok = loadInternalTls(conf({ 'security.ssl.internal.enabled': 'true', 'security.ssl.internal.keystore': p12, 'security.ssl.internal.keystore-password': P12_PASSWORD,
      'security.ssl.internal.truststore': cert.crt, 'security.ssl.algorithms': 'ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384' }));
    expect(ok?.pfx).toBeDefined();
    expect(ok?.ciphers).toBe('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384');
  });
});
