/**
 * Free network buffers of one thread (Flink's NetworkBufferPool, without the hard budget: JS cannot
 * block a writer, so backpressure is enforced by credits and ResultPartition.isAvailable() instead).
 * Buffers sent to another slot are transferred and come back with the consumer's credit
 * announcements, so a steady stream allocates no new ArrayBuffers.
 */
export class NetworkBufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** ArrayBuffers created because the pool was empty (for tests / metrics). */
  numAllocated = 0;

  constructor(
    readonly bufferSize: number,
    private readonly maxFree: number,
  ) {}

  acquire(): ArrayBuffer {
    const b = this.free.pop();
    if (b !== undefined) return b;
    this.numAllocated++;
    return new ArrayBuffer(this.bufferSize);
  }

  /** Takes back a buffer; oversized, detached or surplus buffers are left to the GC. */
  recycle(b: ArrayBuffer): void {
    if (b.byteLength === this.bufferSize && this.free.length < this.maxFree) this.free.push(b);
  }

  get numFree(): number {
    return this.free.length;
  }
}
