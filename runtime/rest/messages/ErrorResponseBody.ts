// Flink's ErrorResponseBody: every error is {"errors": [...]}, with an HTTP status.

export interface ErrorResponseBody { errors: string[] }

/** An error a handler returns to the client as-is (Flink's RestHandlerException). */
export class RestHandlerException extends Error {
  constructor(readonly status: number, message: string, readonly details: string[] = []) {
    super(message);
    this.name = 'RestHandlerException';
  }
  body(): ErrorResponseBody { return { errors: [this.message, ...this.details] }; }
}

/** Flink's body for unexpected failures (500). */
export function internalServerError(e: unknown): ErrorResponseBody {
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return { errors: ['Internal server error.', `<Exception on server side:\n${text}\nEnd of exception on server side>`] };
}
