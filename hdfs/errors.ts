// Typed file system errors: callers branch on the class, users read the message (what, where, how to fix).

export class FileSystemError extends Error {
  readonly path: string;
  /** Hadoop exception class name (hdfs) or errno code (file), when known. */
  readonly code?: string;
  constructor(message: string, path: string, opts?: { cause?: unknown; code?: string }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.path = path;
    this.code = opts?.code;
  }
}

export class FileNotFoundError extends FileSystemError {}

export class PermissionDeniedError extends FileSystemError {}

export class FileAlreadyExistsError extends FileSystemError {}

/** The NameNode (WebHDFS endpoint) did not answer after all retries. */
export class NameNodeUnreachableError extends FileSystemError {
  readonly address: string;
  readonly configKey: string;
  constructor(message: string, path: string, address: string, configKey: string, opts?: { cause?: unknown; code?: string }) {
    super(message, path, opts);
    this.address = address;
    this.configKey = configKey;
  }
}

/** A Hadoop setting tsflink cannot use (bad value, HA nameservice, missing fs.defaultFS). */
export class HadoopConfigurationError extends FileSystemError {}
