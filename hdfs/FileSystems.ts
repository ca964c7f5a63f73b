// Flink's FileSystem.get(uri): one factory per URI scheme. Built in: `file` (and plain paths),
// `hdfs` and `webhdfs`; more can be registered. Lives apart from FileSystem.ts so the
// implementations can import the interface without importing the registry that imports them.
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FileSystem } from './FileSystem.js';
import { FileSystemError } from './errors.js';
import { confValue } from './HadoopConfiguration.js';
import { LocalFileSystem } from './LocalFileSystem.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';

/** Makes (or returns a cached) FileSystem for a URI of the factory's scheme; `conf` is tsflink's config. */
export type FileSystemFactory = (uri: string, conf?: Record<string, unknown>) => FileSystem;

const factories = new Map<string, FileSystemFactory>();

/** The URI's scheme, lower-cased; plain paths (and Windows drive paths) are `file`. */
export function uriScheme(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  return m && !/^[a-z]:[\\/]/i.test(uri) ? (m[1] ?? '').toLowerCase() : 'file';
}

/**
 * Registers the factory for a scheme (e.g. 's3'). Replacing an existing scheme needs
 * `{ replace: true }`, so two plugins cannot silently fight over one. Returns an unregister function.
 */
export function registerFileSystem(scheme: string, factory: FileSystemFactory, opts?: { replace?: boolean }): () => void {
  const s = scheme.toLowerCase().replace(/:\/*$/, '');
  if (!/^[a-z][a-z0-9+.-]*$/.test(s)) throw new FileSystemError(`invalid file system scheme "${scheme}"; expected e.g. "s3" or "gs"`, scheme);
  const previous = factories.get(s);
  if (previous && !opts?.replace) {
    throw new FileSystemError(`file system scheme "${s}:" is already registered; pass { replace: true } to replace it`, scheme);
  }
  factories.set(s, factory);
  return () => {
    if (factories.get(s) !== factory) return;
    if (previous) factories.set(s, previous);
    else factories.delete(s);
  };
}

/** Registered schemes, sorted. */
export function supportedSchemes(): string[] {
  return [...factories.keys()].sort();
}

/**
 * The FileSystem for a URI or path. `file://…` and plain paths → local disk; `hdfs://nn:port/…`
 * and `hdfs:///…` → WebHDFS on that NameNode, resolved through HADOOP_CONF_DIR and tsflink's
 * fs.hdfs.* keys; `webhdfs://host:httpport/…` → WebHDFS at that HTTP address.
 */
export function getFileSystem(uri: string, conf?: Record<string, unknown>): FileSystem {
  const scheme = uriScheme(uri);
  const factory = factories.get(scheme);
  if (!factory) {
    const known = supportedSchemes().map((s) => (s === 'file' ? 'file:// (or plain paths)' : `${s}://`));
    throw new FileSystemError(`unsupported file system scheme "${scheme}:" in ${uri}; tsflink supports ${known.join(', ')}`, uri);
  }
  return factory(uri, conf);
}

/** Flink-style spelling: `FileSystems.get(uri)`. */
export const FileSystems = { get: getFileSystem, register: registerFileSystem, schemes: supportedSchemes } as const;

/** Resolves once `w` has finished and its bytes are durable (ends it if needed); rejects on its error. */
export async function closeOutput(w: Writable): Promise<void> {
  if (w.errored) throw w.errored;
  if (!w.writableEnded) w.end();
  await finished(w);
}

// --- built-in schemes ---

let local: LocalFileSystem | undefined;
registerFileSystem('file', () => (local ??= new LocalFileSystem()));

const HDFS_KEYS = [
  'fs.hdfs.webhdfs.address', 'fs.hdfs.hadoopconf', 'fs.hdfs.user', 'fs.hdfs.retry.max-attempts',
  'fs.hdfs.retry.initial-backoff-ms', 'fs.hdfs.retry.max-backoff-ms', 'fs.hdfs.request-timeout-ms',
];

/** Everything that decides which WebHDFS client a URI gets (except the XML files' contents). */
function requestKey(scheme: string, uri: string, conf?: Record<string, unknown>): string {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(uri)?.[1] ?? '';
  const rel = HDFS_KEYS.map((k) => confValue(conf, k));
  const hadoop = Object.entries(conf ?? {}).filter(([k]) => k.startsWith('flink.hadoop.'));
  // A regenerated conf dir (e.g. a restarted test cluster on new ports) must not hit a stale client.
  const dir = (rel[1] as string | undefined) ?? process.env['HADOOP_CONF_DIR'];
  const mtimes = dir ? ['core-site.xml', 'hdfs-site.xml'].map((f) => fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.mtimeMs) : [];
  return JSON.stringify([scheme, authority, rel, hadoop, process.env['HADOOP_CONF_DIR'], process.env['HADOOP_USER_NAME'], mtimes]);
}

const webHdfsClients = new Map<string, WebHdfsFileSystem>();

function webHdfsFactory(scheme: 'hdfs' | 'webhdfs'): FileSystemFactory {
  return (uri, conf) => {
    // Fast path: same authority + same relevant settings → same client, without re-reading XML files.
    const pre = `pre|${requestKey(scheme, uri, conf)}`;
    const hit = webHdfsClients.get(pre);
    if (hit) return hit;
    // One client (and keep-alive agent) per endpoint + user + settings.
    const client = WebHdfsFileSystem.forUri(uri, conf);
    const key = `fs|${client.cacheKey}`;
    const cached = webHdfsClients.get(key) ?? client;
    webHdfsClients.set(key, cached);
    webHdfsClients.set(pre, cached);
    return cached;
  };
}

registerFileSystem('hdfs', webHdfsFactory('hdfs'));
registerFileSystem('webhdfs', webHdfsFactory('webhdfs'));
