/** An input channel failed: the producer released its partition, the connection closed, or the request timed out. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    message: string,
    readonly partitionId: string,
    readonly subpartition: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
