// tsflink's FileSystem abstraction: `file` (local disk) and `hdfs` (WebHDFS) schemes.
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { LocalFileSystem } from './LocalFileSystem.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';
import { FileSystemError } from './errors.js';

export interface FileStatus {
  /** Absolute path: a plain path on `file`, a qualified hdfs://host:port/… URI on `hdfs`. */
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
  /** Octal string, e.g. "644". */
  permission?: string;
}

export interface FileSystem {
  readonly scheme: 'file' | 'hdfs';
  /** Streams a file (optionally a byte range). Rejects with FileNotFoundError etc. before any data. */
  open(path: string, opts?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable>;
  /** Resolves with a Writable; `await closeOutput(w)` (or w.end + 'close') means bytes are durable. */
  create(path: string, opts?: CreateOptions): Promise<Writable>;
  /** Appends to an existing file. */
  append(path: string): Promise<Writable>;
  /** Convenience for small files. */
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: Uint8Array | string, opts?: CreateOptions): Promise<void>;
  /** Creates the directory and missing parents; no error if it exists. */
  mkdirs(path: string): Promise<void>;
  /** Atomic; FileAlreadyExistsError if dst exists, FileNotFoundError if src (or dst's parent) does not. */
  rename(src: string, dst: string): Promise<void>;
  /** Resolves false if nothing was there. */
  delete(path: string, recursive: boolean): Promise<boolean>;
  /** Children of a directory (a file lists as itself). */
  listStatus(path: string): Promise<FileStatus[]>;
  getFileStatus(path: string): Promise<FileStatus>;
  exists(path: string): Promise<boolean>;
}

/** Resolves once `w` has finished and its bytes are durable (ends it if needed); rejects on its error. */
export async function closeOutput(w: Writable): Promise<void> {
  if (w.errored) throw w.errored;
  if (!w.writableEnded) w.end();
  await finished(w);
}

const instances = new Map<string, FileSystem>();

/**
 * The FileSystem for a URI or path. `file://…` and plain paths → local disk; `hdfs://nn:port/…`
 * and `hdfs:///…` → WebHDFS, resolved through HADOOP_CONF_DIR and tsflink's fs.hdfs.* keys.
 */
export function getFileSystem(uri: string, conf?: Record<string, unknown>): FileSystem {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  const scheme = m && !/^[a-z]:[\\/]/i.test(uri) ? (m[1] ?? '').toLowerCase() : 'file';
  if (scheme === 'file') {
    let fs = instances.get('file');
    if (!fs) instances.set('file', (fs = new LocalFileSystem()));
    return fs;
  }
  if (scheme === 'hdfs') {
    // One client (and keep-alive agent) per endpoint + user + settings.
    const fs = WebHdfsFileSystem.forUri(uri, conf);
    const key = `hdfs|${fs.cacheKey}`;
    const cached = instances.get(key);
    if (cached) return cached;
    instances.set(key, fs);
    return fs;
  }
  throw new FileSystemError(
    `unsupported file system scheme "${scheme}:" in ${uri}; tsflink supports file:// (or plain paths) and hdfs://`,
    uri,
  );
}
