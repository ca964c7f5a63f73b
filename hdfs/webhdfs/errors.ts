// How WebHDFS failures map to tsflink's typed errors, and which of them are worth retrying.
import { FileAlreadyExistsError, FileNotFoundError, FileSystemError, PermissionDeniedError } from '../errors.js';

interface RemoteExceptionBody {
  RemoteException?: { exception?: string; javaClassName?: string; message?: string };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'ENOTFOUND', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

// Deterministic answers: retrying cannot change them.
const NON_RETRIABLE = new Set([
  'FileNotFoundException', 'AccessControlException', 'FileAlreadyExistsException', 'ParentNotDirectoryException',
  'PathIsNotEmptyDirectoryException', 'IllegalArgumentException', 'UnsupportedOperationException',
  'HadoopIllegalArgumentException', 'InvalidPathException', 'SecurityException', 'AuthorizationException',
  'AlreadyBeingCreatedException', 'QuotaExceededException', 'NSQuotaExceededException', 'DSQuotaExceededException',
  'UnresolvedPathException', 'SnapshotAccessControlException', 'PathComponentTooLongException',
  'InvalidRequestException',
]);
// Transient: NameNode restarting or in safe mode, or a DataNode's own NameNode connection dropped.
export const RETRIABLE = new Set([
  'RetriableException', 'SafeModeException', 'StandbyException', 'ConnectException', 'SocketTimeoutException',
  'ObserverRetryOnActiveException', 'EOFException', 'SocketException', 'NoRouteToHostException',
  'ConnectTimeoutException', 'ClosedChannelException', 'RetryException', 'NotReplicatedYetException',
]);
// For data ops (choosing/using DataNodes) a bare IOException is usually transient, e.g. "No active and
// not excluded nodes contain this block" after a NameNode restart or "All datanodes are bad". For
// namespace ops (rename, mkdirs, …) it is a deterministic answer and is not retried.
const DATA_OPS = new Set(['OPEN', 'CREATE', 'APPEND']);

export function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
}

export function isNetworkError(e: unknown): boolean {
  const code = errCode(e) ?? errCode((e as { cause?: unknown })?.cause);
  if (code && NETWORK_CODES.has(code)) return true;
  const msg = String((e as { message?: unknown })?.message ?? '');
  return /socket hang up|aborted|ECONNRESET|ECONNREFUSED/.test(msg);
}

/** Typed error from a WebHDFS error response. */
export function remoteError(status: number, body: unknown, path: string, what: string): FileSystemError {
  let parsed: RemoteExceptionBody | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as RemoteExceptionBody;
    } catch {
      parsed = undefined;
    }
  } else if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    parsed = body as RemoteExceptionBody;
  }
  const re = parsed?.RemoteException;
  const exception = re?.exception ?? (status === 404 ? 'FileNotFoundException' : `HTTP ${status}`);
  const message = re?.message ?? (typeof body === 'string' ? body.slice(0, 300) : `HTTP ${status}`);
  const text = `${what} ${path}: ${message}`;
  switch (exception) {
    case 'FileNotFoundException':
      return new FileNotFoundError(text, path, { code: exception });
    case 'AccessControlException':
    case 'SecurityException':
    case 'AuthorizationException':
      return new PermissionDeniedError(text, path, { code: exception });
    case 'FileAlreadyExistsException':
    case 'AlreadyBeingCreatedException':
      return new FileAlreadyExistsError(text, path, { code: exception });
    default:
      return new FileSystemError(text, path, { code: exception });
  }
}

export function isRetriableResponse(status: number, err: FileSystemError, op: string): boolean {
  const name = err.code ?? '';
  if (RETRIABLE.has(name)) return true;
  if (name === 'IOException' && DATA_OPS.has(op)) return true;
  if (NON_RETRIABLE.has(name)) return false;
  return status >= 500;
}
