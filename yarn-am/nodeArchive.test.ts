// yarn.ship-node packaging: a distribution directory is packed; a Node release tarball (one top-level
// directory) is used as is, with the binary found inside.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArchive, YarnDeploymentInputError } from './YarnClusterDescriptor.js';

function fakeDist(root: string, sub = ''): string {
  const dir = join(root, sub);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', 'node'), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

describe('nodeArchive (yarn.ship-node)', () => {
  it('packs a directory; the binary is bin/node', () => {
    const dir = fakeDist(mkdtempSync(join(tmpdir(), 'tsflink-na-')));
    const a = nodeArchive(dir);
    try {
      expect(a.binary).toBe('bin/node');
      expect(execFileSync('tar', ['-tzf', a.archive]).toString()).toMatch(/(^|\n)\.\/bin\/node\n/);
    } finally {
      a.cleanup();
    }
  });

  it('uses a release tarball as is and finds <top>/bin/node', () => {
    const root = mkdtempSync(join(tmpdir(), 'tsflink-na-'));
    fakeDist(root, 'node-v20.0.0-linux-x64');
    const tgz = join(root, 'node.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', root, 'node-v20.0.0-linux-x64']);
    const a = nodeArchive(tgz);
    expect(a).toMatchObject({ archive: tgz, binary: 'node-v20.0.0-linux-x64/bin/node' });
  });

  it('rejects what is not a Node distribution', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tsflink-na-'));
    expect(() => nodeArchive(empty)).toThrow(YarnDeploymentInputError);
    expect(() => nodeArchive(empty)).toThrow(/has no bin\/node/);
    writeFileSync(join(empty, 'x.zip'), 'zip');
    expect(() => nodeArchive(join(empty, 'x.zip'))).toThrow(/neither a directory nor a \.tar\.gz/);
  });
});
