/** A record that is not plain data was emitted to a network partition. */
export class RecordSerializationError extends Error {
  override readonly name = 'RecordSerializationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
