import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

/**
 * Mutual challenge–response on a fresh TCP connection with the cluster's shared secret; the
 * secret never crosses the wire. Used by the control RPC and the data plane alike.
 *
 *   server → client  "TSFA" v1 | serverNonce(32)
 *   client → server  clientNonce(32) | HMAC(secret, "client" | serverNonce | clientNonce)
 *   server → client  HMAC(secret, "server" | clientNonce | serverNonce)          (or closes)
 *
 * After the handshake the socket carries the protocol's own frames.
 */
const MAGIC = Buffer.from('TSFA');
const VERSION = 1;
const NONCE = 32;
const MAC = 32;

export class AuthenticationError extends Error {
  constructor(message: string) { super(message); this.name = 'AuthenticationError'; }
}

/** A fresh random secret for a new cluster (hex). */
export function generateClusterSecret(): string { return randomBytes(32).toString('hex'); }

function mac(secret: string, label: string, a: Buffer, b: Buffer): Buffer {
  return createHmac('sha256', secret).update(label).update(a).update(b).digest();
}

/** Reads exactly n bytes from a socket that is not yet in flowing mode. */
function readExactly(sock: Socket, n: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const timer = setTimeout(() => done(new AuthenticationError(`handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    const onData = (c: Buffer): void => {
      chunks.push(c);
      have += c.length;
      if (have >= n) {
        const all = Buffer.concat(chunks);
        // Detach (and pause) first: unshifting into a flowing socket would re-emit into this listener.
        done(null, all.subarray(0, n));
        // Bytes past the handshake belong to the protocol: give them back to the stream.
        if (all.length > n) sock.unshift(all.subarray(n));
      }
    };
    const onEnd = (): void => done(new AuthenticationError('the peer closed the connection during the handshake (wrong cluster secret?)'));
    const onError = (e: Error): void => done(e);
    function done(err: Error | null, buf?: Buffer): void {
      clearTimeout(timer);
      sock.off('data', onData); sock.off('end', onEnd); sock.off('close', onEnd); sock.off('error', onError);
      sock.pause();
      if (err) reject(err); else resolve(buf!);
    }
    sock.on('data', onData); sock.once('end', onEnd); sock.once('close', onEnd); sock.once('error', onError);
    sock.resume();
  });
}

export async function serverHandshake(sock: Socket, secret: string, timeoutMs = 10_000): Promise<void> {
  const serverNonce = randomBytes(NONCE);
  sock.write(Buffer.concat([MAGIC, Buffer.from([VERSION]), serverNonce]));
  const reply = await readExactly(sock, NONCE + MAC, timeoutMs);
  const clientNonce = reply.subarray(0, NONCE);
  const expected = mac(secret, 'client', serverNonce, clientNonce);
  if (!timingSafeEqual(expected, reply.subarray(NONCE))) {
    sock.destroy();
    throw new AuthenticationError(`peer ${sock.remoteAddress}:${sock.remotePort} failed authentication (wrong cluster secret)`);
  }
  sock.write(mac(secret, 'server', clientNonce, serverNonce));
}

export async function clientHandshake(sock: Socket, secret: string, timeoutMs = 10_000): Promise<void> {
  const hello = await readExactly(sock, MAGIC.length + 1 + NONCE, timeoutMs);
  if (!hello.subarray(0, 4).equals(MAGIC) || hello[4] !== VERSION) {
    sock.destroy();
    throw new AuthenticationError(`${sock.remoteAddress}:${sock.remotePort} is not a tsflink endpoint (bad handshake magic)`);
  }
  const serverNonce = hello.subarray(5);
  const clientNonce = randomBytes(NONCE);
  sock.write(Buffer.concat([clientNonce, mac(secret, 'client', serverNonce, clientNonce)]));
  const proof = await readExactly(sock, MAC, timeoutMs);
  if (!timingSafeEqual(proof, mac(secret, 'server', clientNonce, serverNonce))) {
    sock.destroy();
    throw new AuthenticationError(`${sock.remoteAddress}:${sock.remotePort} could not prove it knows the cluster secret`);
  }
}
