import { readFileSync } from 'node:fs';
import { decodeWritableVLong, encodeWritableVLong } from './varint.js';
import { pbDecode, type PbObject } from './protos.js';
import { decodeVarint } from './varint.js';

/** A Hadoop delegation/identity token (org.apache.hadoop.security.token.Token). */
export interface HadoopToken {
  identifier: Uint8Array;
  password: Uint8Array;
  kind: string;
  service: string;
}

/** Parsed token storage: tokens and secret keys by alias. */
export interface Credentials {
  tokens: Map<string, HadoopToken>;
  secrets: Map<string, Uint8Array>;
}

export const AMRM_TOKEN_KIND = 'YARN_AM_RM_TOKEN';
export const NM_TOKEN_KIND = 'NMToken';
export const CONTAINER_TOKEN_KIND = 'ContainerToken';

const MAGIC = Buffer.from('HDTS', 'latin1');

/** Reads a Hadoop credentials file (token storage): `HDTS` + version 0 (Writable) or 1 (protobuf). */
export function readCredentialsFile(path: string): Credentials {
  return parseCredentials(readFileSync(path));
}

/** Reads the container's credentials from `HADOOP_TOKEN_FILE_LOCATION`. */
export function readContainerCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  const p = env['HADOOP_TOKEN_FILE_LOCATION'];
  if (!p) throw new Error('HADOOP_TOKEN_FILE_LOCATION is not set (not running inside a YARN container?)');
  return readCredentialsFile(p);
}

export function parseCredentials(buf: Uint8Array): Credentials {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 5 || !b.subarray(0, 4).equals(MAGIC)) throw new Error('not a Hadoop token storage file (missing HDTS magic)');
  const version = b[4]!;
  if (version === 0) return parseWritable(b, 5);
  if (version === 1) return parseProtobuf(b, 5);
  throw new Error(`unsupported token storage version ${version}`);
}

function parseWritable(b: Buffer, start: number): Credentials {
  let off = start;
  const vint = (): number => {
    const r = decodeWritableVLong(b, off);
    off = r.next;
    if (r.value < 0) throw new Error('negative length in token storage');
    return r.value;
  };
  const bytes = (): Uint8Array => {
    const n = vint();
    if (off + n > b.length) throw new Error('truncated token storage');
    const out = Uint8Array.prototype.slice.call(b, off, off + n);
    off += n;
    return out;
  };
  const text = (): string => Buffer.from(bytes()).toString('utf8');
  const tokens = new Map<string, HadoopToken>();
  const secrets = new Map<string, Uint8Array>();
  const nTokens = vint();
  for (let i = 0; i < nTokens; i++) {
    const alias = text();
    const identifier = bytes();
    const password = bytes();
    const kind = text();
    const service = text();
    tokens.set(alias, { identifier, password, kind, service });
  }
  const nSecrets = vint();
  for (let i = 0; i < nSecrets; i++) {
    const alias = text();
    secrets.set(alias, bytes());
  }
  return { tokens, secrets };
}

function parseProtobuf(b: Buffer, start: number): Credentials {
  const { value: len, next } = decodeVarint(b, start);
  const msg = pbDecode('hadoop.common.CredentialsProto', b.subarray(next, next + len));
  const tokens = new Map<string, HadoopToken>();
  const secrets = new Map<string, Uint8Array>();
  for (const kv of (msg['tokens'] as PbObject[] | undefined) ?? []) {
    const t = kv['token'] as PbObject | undefined;
    if (t) tokens.set(String(kv['alias']), tokenFromProto(t));
  }
  for (const kv of (msg['secrets'] as PbObject[] | undefined) ?? []) {
    secrets.set(String(kv['alias']), (kv['secret'] as Uint8Array | undefined) ?? new Uint8Array());
  }
  return { tokens, secrets };
}

/** Serializes credentials in Hadoop's default (Writable, version 0) token storage format. */
export function serializeCredentials(creds: { tokens?: Iterable<[string, HadoopToken]>; secrets?: Iterable<[string, Uint8Array]> }): Buffer {
  const parts: Uint8Array[] = [MAGIC, Uint8Array.of(0)];
  const bytes = (u: Uint8Array): void => {
    parts.push(encodeWritableVLong(u.length), u);
  };
  const text = (s: string): void => bytes(Buffer.from(s, 'utf8'));
  const tokens = [...(creds.tokens ?? [])];
  const secrets = [...(creds.secrets ?? [])];
  parts.push(encodeWritableVLong(tokens.length));
  for (const [alias, t] of tokens) {
    text(alias);
    bytes(t.identifier);
    bytes(t.password);
    text(t.kind);
    text(t.service);
  }
  parts.push(encodeWritableVLong(secrets.length));
  for (const [alias, s] of secrets) {
    text(alias);
    bytes(s);
  }
  return Buffer.concat(parts);
}

/** First token of the given kind (and service, if given). */
export function findToken(creds: Credentials, kind: string, service?: string): HadoopToken | undefined {
  for (const t of creds.tokens.values()) {
    if (t.kind === kind && (service === undefined || t.service === service)) return t;
  }
  return undefined;
}

/** Converts a decoded hadoop.common.TokenProto. */
export function tokenFromProto(t: PbObject): HadoopToken {
  return {
    identifier: (t['identifier'] as Uint8Array | undefined) ?? new Uint8Array(),
    password: (t['password'] as Uint8Array | undefined) ?? new Uint8Array(),
    kind: String(t['kind'] ?? ''),
    service: String(t['service'] ?? ''),
  };
}

export function tokenToProto(t: HadoopToken): PbObject {
  return { identifier: t.identifier, password: t.password, kind: t.kind, service: t.service };
}
