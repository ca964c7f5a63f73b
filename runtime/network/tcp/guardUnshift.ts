import type { Socket } from 'node:net';

/**
 * ClusterSecret's readExactly unshifts surplus handshake bytes while its 'data' listener is still attached and the
 * socket flowing, so the bytes are re-emitted into the same listener, endlessly (a peer sending more than the
 * handshake in one segment crashes the process). Pausing first makes unshift only buffer them; they are read
 * after the handshake like any other data. (Harmless once readExactly detaches before unshifting.)
 */
export function guardUnshift(sock: Socket): void {
  sock.unshift = function (this: Socket, chunk: Parameters<Socket['unshift']>[0], encoding?: BufferEncoding): void {
    this.pause();
    Object.getPrototypeOf(sock).unshift.call(this, chunk, encoding);
  };
}
