// tsflink's FileSystem abstraction (types only). Implementations: LocalFileSystem (`file`) and
// WebHdfsFileSystem (`hdfs`, `webhdfs`); FileSystems.ts picks one per URI scheme. Keeping this file
// free of runtime imports is what lets the implementations import it without an import cycle.
import type { Readable, Writable } from 'node:stream';

export interface FileStatus {
  /** Absolute path: a plain path on `file`, a qualified URI (hdfs://host:port/…, webhdfs://…) otherwise. */
  path: string;
  length: number;
  isDirectory: boolean;
  /** Milliseconds since the epoch. */
  modificationTime: number;
  owner?: string;
  group?: string;
  /** Octal, e.g. "755". */
  permission?: string;
  replication?: number;
  blockSize?: number;
}

export interface CreateOptions {
  /** Replace an existing file. Default false: create fails with FileAlreadyExistsError. */
  overwrite?: boolean;
  replication?: number;
  blockSize?: number;
  /** Octal string, e.g. "644" (the default); the umask applies to it, as in Hadoop. */
  permission?: string;
}

export interface FileSystem {
  /** URI scheme this instance serves, e.g. 'file', 'hdfs', 'webhdfs'. */
  readonly scheme: string;
  /** Streams a file (optionally a byte range). Rejects with FileNotFoundError etc. before any data. */
  open(path: string, opts?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable>;
  /** Resolves with a Writable; `await closeOutput(w)` (or w.end + 'close') means bytes are durable. */
  create(path: string, opts?: CreateOptions): Promise<Writable>;
  /** Appends to an existing file. */
  append(path: string): Promise<Writable>;
  /** Convenience for small files. */
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: Uint8Array | string, opts?: CreateOptions): Promise<void>;
  /** Creates the directory and missing parents (mode 777 minus the umask); no error if it exists. */
  mkdirs(path: string): Promise<void>;
  /** Atomic; FileAlreadyExistsError if dst exists, FileNotFoundError if src (or dst's parent) does not. */
  rename(src: string, dst: string): Promise<void>;
  /** Resolves false if nothing was there. */
  delete(path: string, recursive: boolean): Promise<boolean>;
  /** Children of a directory (a file lists as itself). */
  listStatus(path: string): Promise<FileStatus[]>;
  getFileStatus(path: string): Promise<FileStatus>;
  exists(path: string): Promise<boolean>;
  /**
   * Cuts a file back to its first `length` bytes (at most its current length) and resolves once it
   * can be appended to again (Hadoop's FileSystem.truncate plus its lease recovery). Optional: on a
   * file system without it a FileSink cannot resume a part file after a failure, so it rolls its
   * part files on every checkpoint there.
   */
  truncate?(path: string, length: number): Promise<void>;
}
