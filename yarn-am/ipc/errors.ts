/**
 * Errors raised by the Hadoop IPC client. Server-side exceptions arrive as
 * RpcResponseHeaderProto{status ERROR|FATAL, exceptionClassName, errorMsg}; they are
 * mapped to RemoteException (or a subclass for the YARN/Hadoop exceptions callers branch on).
 */

/** An exception thrown on the Hadoop server and reported back over RPC. */
export class RemoteException extends Error {
  /** Fully qualified Java class name of the server-side exception. */
  readonly className: string;
  /** The server's message: first line of errorMsg (Hadoop often appends a stack trace). */
  readonly serverMessage: string;
  /** The full errorMsg as sent by the server (may contain a Java stack trace). */
  readonly serverTrace: string;
  /** RpcErrorCodeProto (1 APPLICATION, 2 NO_SUCH_METHOD, 3 NO_SUCH_PROTOCOL, …, 15 FATAL_UNAUTHORIZED), if sent. */
  readonly errorCode: number | undefined;
  /** True when the server closed the connection (status FATAL). */
  readonly fatal: boolean;

  constructor(className: string, errorMsg: string, errorCode?: number, fatal = false) {
    const first = firstMessageLine(errorMsg);
    super(`${shortName(className)}: ${first}`);
    this.name = new.target.name;
    this.className = className;
    this.serverMessage = first;
    this.serverTrace = errorMsg;
    this.errorCode = errorCode;
    this.fatal = fatal;
  }

  /** Simple Java class name, e.g. `ApplicationNotFoundException`. */
  get simpleClassName(): string {
    return shortName(this.className);
  }
}

export class YarnException extends RemoteException {}
export class ApplicationNotFoundException extends YarnException {}
export class ApplicationAttemptNotFoundException extends YarnException {}
export class ContainerNotFoundException extends YarnException {}
export class InvalidResourceRequestException extends YarnException {}
export class InvalidApplicationMasterRequestException extends YarnException {}
export class ApplicationMasterNotRegisteredException extends YarnException {}
export class InvalidContainerReleaseException extends YarnException {}
export class InvalidAuxServiceException extends YarnException {}
export class NMNotYetReadyException extends YarnException {}
export class AccessControlException extends RemoteException {}
export class InvalidToken extends RemoteException {}
export class StandbyException extends RemoteException {}
export class RpcNoSuchProtocolException extends RemoteException {}
export class RpcNoSuchMethodException extends RemoteException {}
export class SaslException extends RemoteException {}

type RemoteCtor = new (className: string, errorMsg: string, errorCode?: number, fatal?: boolean) => RemoteException;

const BY_SIMPLE_NAME: Record<string, RemoteCtor> = {
  YarnException,
  ApplicationNotFoundException,
  ApplicationAttemptNotFoundException,
  ContainerNotFoundException,
  InvalidResourceRequestException,
  InvalidApplicationMasterRequestException,
  ApplicationMasterNotRegisteredException,
  InvalidContainerReleaseException,
  InvalidAuxServiceException,
  NMNotYetReadyException,
  AccessControlException, // org.apache.hadoop.security.AccessControlException and ...authorize.AuthorizationException
  AuthorizationException: AccessControlException,
  InvalidToken,
  StandbyException,
  RpcNoSuchProtocolException,
  RpcNoSuchMethodException,
  SaslException,
};

/** Builds the typed exception for a server-side class name (falls back to RemoteException). */
export function remoteException(className: string, errorMsg: string, errorCode?: number, fatal = false): RemoteException {
  const simple = shortName(className);
  const ctor = BY_SIMPLE_NAME[simple] ?? (className.startsWith('org.apache.hadoop.yarn.exceptions.') ? YarnException : RemoteException);
  return new ctor(className, errorMsg, errorCode, fatal);
}

/** The TCP connection to a Hadoop server could not be established (after retries). */
export class IpcConnectError extends Error {
  readonly address: string;
  /** Where the address came from, e.g. `yarn.resourcemanager.address in /etc/hadoop/yarn-site.xml`. */
  readonly addressSource: string | undefined;
  readonly attempts: number;
  readonly code: string | undefined;
  constructor(address: string, addressSource: string | undefined, attempts: number, cause: Error & { code?: string }) {
    super(
      `Call to ${address} failed on connection exception: ${cause.code ?? cause.name}: ${cause.message}` +
        ` (tried ${attempts} time${attempts === 1 ? '' : 's'}; address from ${addressSource ?? 'caller'})`,
      { cause },
    );
    this.name = cause.code === 'ECONNREFUSED' ? 'ConnectionRefused' : 'IpcConnectError';
    this.address = address;
    this.addressSource = addressSource;
    this.attempts = attempts;
    this.code = cause.code;
  }
}

/** A call got no answer within its timeout (the connection is kept; a late reply is dropped). */
export class RpcTimeoutError extends Error {
  constructor(address: string, method: string, timeoutMs: number) {
    super(`Call ${method} to ${address} timed out after ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The connection broke while a call was outstanding. */
export class ConnectionClosedError extends Error {
  constructor(address: string, reason: string) {
    super(`Connection to ${address} closed: ${reason}`);
    this.name = 'ConnectionClosedError';
  }
}

function shortName(className: string): string {
  const i = Math.max(className.lastIndexOf('.'), className.lastIndexOf('$'));
  return i >= 0 ? className.slice(i + 1) : className;
}

function firstMessageLine(errorMsg: string): string {
  // Hadoop's errorMsg is usually "message\n\tat stack..." — keep the message (may itself span lines before "\tat").
  const lines = errorMsg.split('\n');
  const msg: string[] = [];
  for (const l of lines) {
    if (/^\s+at /.test(l)) break;
    msg.push(l);
  }
  return msg.join('\n').trim() || errorMsg.trim();
}
