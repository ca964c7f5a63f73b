import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** A protobuf message as a plain JS object (field names exactly as in the .proto, longs as numbers). */
export type PbObject = { [field: string]: unknown };

/**
 * Finds the package root (the directory holding package.json) by walking up from this module.
 * tsc does not copy .proto files into dist/, so both `yarn-am/ipc/protos.ts` (vitest) and
 * `dist/yarn-am/ipc/protos.js` must resolve to `<root>/yarn-am/proto`.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'yarn-am', 'proto'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`tsflink: cannot locate package root (yarn-am/proto) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

let rootCache: protobuf.Root | undefined;

/** Loads yarn-am/proto/*.proto once per process. */
export function protoRoot(): protobuf.Root {
  if (rootCache) return rootCache;
  const protoDir = join(packageRoot(), 'yarn-am', 'proto');
  const root = new protobuf.Root();
  // Imports are by bare file name ("hadoop_common.proto"); resolve all of them inside protoDir.
  root.resolvePath = (_origin: string, target: string): string => join(protoDir, target.replace(/^.*[\\/]/, ''));
  root.loadSync(['hadoop_common.proto', 'yarn.proto'], { keepCase: true });
  root.resolveAll();
  rootCache = root;
  return root;
}

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by full name, e.g. `hadoop.yarn.AllocateRequestProto`. */
export function pbType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = protoRoot().lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

/** Encodes a plain object (not length-delimited). Throws on invalid fields so mistakes surface early. */
export function pbEncode(fullName: string, obj: PbObject): Uint8Array {
  const t = pbType(fullName);
  const err = t.verify(obj);
  if (err) throw new Error(`tsflink: invalid ${fullName}: ${err}`);
  return t.encode(t.fromObject(obj)).finish();
}

/** Encodes a plain object length-delimited (protobuf varint length prefix). */
export function pbEncodeDelimited(fullName: string, obj: PbObject): Uint8Array {
  const t = pbType(fullName);
  const err = t.verify(obj);
  if (err) throw new Error(`tsflink: invalid ${fullName}: ${err}`);
  return t.encodeDelimited(t.fromObject(obj)).finish();
}

/** Decodes into a plain object: longs become numbers, bytes stay Uint8Array, unset fields are absent. */
export function pbDecode(fullName: string, bytes: Uint8Array): PbObject {
  const t = pbType(fullName);
  return t.toObject(t.decode(bytes), { longs: Number, arrays: true }) as PbObject;
}
