// Hadoop's fs.permissions.umask-mode. The NameNode does not apply a client's umask: WebHDFS
// clients (Hadoop's own included) send the masked mode as `permission=` on MKDIRS and CREATE.
import { FileSystemError, HadoopConfigurationError } from './errors.js';
import type { HadoopConfiguration } from './HadoopConfiguration.js';

export const KEY_UMASK = 'fs.permissions.umask-mode';
/** Hadoop's default: directories 755, files 644. */
export const DEFAULT_UMASK = 0o022;
/** Modes before the umask, as in Hadoop's FsPermission.getDirDefault()/getFileDefault(). */
export const DIR_DEFAULT_MODE = 0o777;
export const FILE_DEFAULT_MODE = 0o666;

const EXAMPLE = 'e.g. 022 (octal) or u=rwx,g=rx,o=rx (symbolic)';
const CLASS_SHIFT = { u: 6, g: 3, o: 0 } as const;
const PERM_BITS = { r: 4, w: 2, x: 1 } as const;

/**
 * Parses a umask like Hadoop's UmaskParser: octal with three significant digits (022, 0077), or
 * symbolic naming what stays allowed (u=rwx,g=rx,o= → 027; classes not mentioned allow nothing).
 */
export function parseUmask(value: string, source = KEY_UMASK): number {
  const v = value.trim();
  const bad = (why: string) =>
    new HadoopConfigurationError(`${source} is ${JSON.stringify(value)}: ${why}; use ${EXAMPLE}`, '');
  const octal = /^\+?0*([0-7]{3})$/.exec(v);
  if (octal) return parseInt(octal[1]!, 8);
  if (!v) throw bad('empty');
  if (/^\+?[0-9]+$/.test(v)) throw bad('not a three-digit octal umask');
  let allowed = 0;
  for (const segment of v.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([ugoa]*)([+=-])([rwx]*)$/.exec(segment);
    if (!m) throw bad(`"${segment}" is neither octal nor symbolic (who=[ugoa], op=[+-=], perms=[rwx])`);
    const who = !m[1] || m[1].includes('a') ? 'ugo' : m[1];
    const perms = [...m[3]!].reduce((b, c) => b | PERM_BITS[c as keyof typeof PERM_BITS], 0);
    for (const c of new Set(who)) {
      const shift = CLASS_SHIFT[c as keyof typeof CLASS_SHIFT];
      if (m[2] === '=') allowed = (allowed & ~(7 << shift)) | (perms << shift);
      else if (m[2] === '+') allowed |= perms << shift;
      else allowed &= ~(perms << shift);
    }
  }
  return ~allowed & 0o777;
}

/** The umask from a loaded Hadoop configuration (default 022); a bad value names the key, value and file. */
export function umaskOf(hc: HadoopConfiguration): number {
  const v = hc.get(KEY_UMASK);
  return v === undefined || v.trim() === '' ? DEFAULT_UMASK : parseUmask(v, hc.describe(KEY_UMASK));
}

/**
 * `mode` (an octal string like CreateOptions.permission; `dflt` if absent) with the umask applied,
 * as WebHDFS's `permission` parameter wants it. Explicit modes are masked too, as in Hadoop.
 */
export function maskedMode(mode: string | undefined, umask: number, dflt: number, path: string): string {
  let m = dflt;
  if (mode !== undefined) {
    if (!/^[0-7]{1,4}$/.test(mode)) throw new FileSystemError(`permission ${JSON.stringify(mode)} for ${path} is not an octal mode; use e.g. "644"`, path);
    m = parseInt(mode, 8);
  }
  return (m & ~umask).toString(8).padStart(3, '0');
}
