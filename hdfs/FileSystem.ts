// tsflink's FileSystem abstraction: `file` (local disk) and `hdfs` (WebHDFS) schemes.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { LocalFileSystem } from './LocalFileSystem.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';
import { FileSystemError } from './errors.js';
import { confValue } from './HadoopConfiguration.js';

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

const HDFS_KEYS = [
  'fs.hdfs.webhdfs.address', 'fs.hdfs.hadoopconf', 'fs.hdfs.user', 'fs.hdfs.retry.max-attempts',
  'fs.hdfs.retry.initial-backoff-ms', 'fs.hdfs.retry.max-backoff-ms', 'fs.hdfs.request-timeout-ms',
];

/** Everything that decides which hdfs client a URI gets (except the XML files' contents). */
function requestKey(uri: string, conf?: Record<string, unknown>): string {
  const authority = /^hdfs:\/\/([^/?#]*)/i.exec(uri)?.[1] ?? '';
  const rel = HDFS_KEYS.map((k) => confValue(conf, k));
  const hadoop = Object.entries(conf ?? {}).filter(([k]) => k.startsWith('flink.hadoop.'));
  // A regenerated conf dir (e.g. a restarted test cluster on new ports) must not hit a stale client.
  const dir = (rel[1] as string | undefined) ?? process.env['HADOOP_CONF_DIR'];
  const mtimes = dir ? ['core-site.xml', 'hdfs-site.xml'].map((f) => fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.mtimeMs) : [];
  return JSON.stringify([authority, rel, hadoop, process.env['HADOOP_CONF_DIR'], process.env['HADOOP_USER_NAME'], mtimes]);
}

/**
 * The FileSystem for a URI or path. `file://…` and plain paths → local disk; `hdfs://nn:port/…`
 * and `hdfs:///…` → WebHDFS, resolved through HADOOP_CONF_DIR and tsflink's fs.hdfs.* keys.
 */
export function getFileSystem(uri: string, conf?: Record<string, unknown>): FileSystem {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  const scheme = m && !/^[a-z]:[\\/]/i.test(uri) ? (m[1] ?? '').toLowerCase() : 'file';
  if (scheme === 'file') {
    let local = instances.get('file');
    if (!local) instances.set('file', (local = new LocalFileSystem()));
    return local;
  }
  if (scheme === 'hdfs') {
    // Fast path: same authority + same relevant settings → same client, without re-reading XML files.
    const pre = `hdfs-pre|${requestKey(uri, conf)}`;
    const hit = instances.get(pre);
    if (hit) return hit;
    // One client (and keep-alive agent) per endpoint + user + settings.
    const client = WebHdfsFileSystem.forUri(uri, conf);
    const key = `hdfs|${client.cacheKey}`;
    const cached = instances.get(key) ?? client;
    instances.set(key, cached);
    instances.set(pre, cached);
    return cached;
  }
  throw new FileSystemError(
    `unsupported file system scheme "${scheme}:" in ${uri}; tsflink supports file:// (or plain paths) and hdfs://`,
    uri,
  );
}
