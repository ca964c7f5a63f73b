import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemError, HadoopConfigurationError } from './errors.js';
import { getFileSystem } from './FileSystems.js';
import { HadoopConfiguration } from './HadoopConfiguration.js';
import { DIR_DEFAULT_MODE, FILE_DEFAULT_MODE, maskedMode, parseUmask, umaskOf } from './umask.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';

const core = (umask: string) =>
  `<configuration><property><name>fs.permissions.umask-mode</name><value>${umask}</value></property></configuration>`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsflink-umask-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('parseUmask', () => {
  it('octal: three significant digits, leading zeros and blanks allowed', () => {
    expect(parseUmask('022')).toBe(0o022);
    expect(parseUmask('077')).toBe(0o077);
    expect(parseUmask(' 0027 ')).toBe(0o027);
    expect(parseUmask('000')).toBe(0);
    expect(parseUmask('777')).toBe(0o777);
  });

  it('symbolic: names what stays allowed; classes left out allow nothing', () => {
    expect(parseUmask('u=rwx,g=rx,o=')).toBe(0o027);
    expect(parseUmask('u=rwx,g=rx,o=rx')).toBe(0o022);
    expect(parseUmask('u=rwx')).toBe(0o077);
    expect(parseUmask('a=rwx')).toBe(0);
    expect(parseUmask('=rx')).toBe(0o222);
    expect(parseUmask('ug=rwx,o=r')).toBe(0o003);
    expect(parseUmask('a=rwx,o-w')).toBe(0o002);
    expect(parseUmask('u=rw,u+x')).toBe(0o077);
    expect(parseUmask('u=rwx g=rx')).toBe(0o027);
  });

  it('a bad value names the key, the value and a valid example', () => {
    for (const bad of ['22', '0899', '1022', 'rwx', 'u=rwz', 'q=r', '', 'u=rwx;g=r']) {
      expect(() => parseUmask(bad), bad).toThrow(HadoopConfigurationError);
      expect(() => parseUmask(bad), bad).toThrow(new RegExp(`fs\\.permissions\\.umask-mode is ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*use e\\.g\\. 022 \\(octal\\) or u=rwx,g=rx,o=rx \\(symbolic\\)`));
    }
  });
});

describe('umask from the Hadoop configuration', () => {
  it('defaults to 022, reads core-site.xml, and flink.hadoop.* overrides it', () => {
    expect(umaskOf(HadoopConfiguration.load(undefined))).toBe(0o022);
    fs.writeFileSync(path.join(dir, 'core-site.xml'), core('077'));
    expect(umaskOf(HadoopConfiguration.fromConf({ 'fs.hdfs.hadoopconf': dir }))).toBe(0o077);
    expect(umaskOf(HadoopConfiguration.fromConf({ 'fs.hdfs.hadoopconf': dir, 'flink.hadoop.fs.permissions.umask-mode': 'u=rwx,g=rx,o=' }))).toBe(0o027);
  });

  it('getFileSystem hands the umask to the hdfs client and fails on a bad one, naming the file', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), core('007'));
    const conf = { 'fs.hdfs.hadoopconf': dir, 'fs.hdfs.webhdfs.address': 'nn:9870', 'fs.hdfs.user': 'u' };
    expect((getFileSystem('hdfs://nn:8020/a', conf) as WebHdfsFileSystem).umask).toBe(0o007);
    expect((getFileSystem('webhdfs://nn:9870/a', conf) as WebHdfsFileSystem).umask).toBe(0o007);
    // Same endpoint, other umask → another client.
    const other = getFileSystem('hdfs://nn:8020/a', { ...conf, 'flink.hadoop.fs.permissions.umask-mode': '022' }) as WebHdfsFileSystem;
    expect(other.umask).toBe(0o022);
    const bad = { ...conf, 'fs.hdfs.hadoopconf': path.join(dir, 'bad') };
    fs.mkdirSync(bad['fs.hdfs.hadoopconf']);
    fs.writeFileSync(path.join(bad['fs.hdfs.hadoopconf'], 'core-site.xml'), core('rwxr-x---'));
    expect(() => getFileSystem('hdfs://nn:8020/a', bad)).toThrow(HadoopConfigurationError);
    expect(() => getFileSystem('hdfs://nn:8020/a', bad)).toThrow(/fs\.permissions\.umask-mode \(from .*bad\/core-site\.xml\) is "rwxr-x---".*e\.g\. 022/);
  });
});

describe('maskedMode', () => {
  it('masks the defaults and explicit modes, keeping special bits', () => {
    expect(maskedMode(undefined, 0o022, DIR_DEFAULT_MODE, '/d')).toBe('755');
    expect(maskedMode(undefined, 0o022, FILE_DEFAULT_MODE, '/f')).toBe('644');
    expect(maskedMode(undefined, 0o077, DIR_DEFAULT_MODE, '/d')).toBe('700');
    expect(maskedMode(undefined, 0o077, FILE_DEFAULT_MODE, '/f')).toBe('600');
    expect(maskedMode('664', 0o022, FILE_DEFAULT_MODE, '/f')).toBe('644');
    expect(maskedMode('1777', 0o022, DIR_DEFAULT_MODE, '/d')).toBe('1755');
    expect(maskedMode(undefined, 0o777, FILE_DEFAULT_MODE, '/f')).toBe('000');
    expect(() => maskedMode('rw-', 0o022, FILE_DEFAULT_MODE, '/f')).toThrow(FileSystemError);
    expect(() => maskedMode('rw-', 0o022, FILE_DEFAULT_MODE, '/f')).toThrow(/permission "rw-" for \/f is not an octal mode/);
  });

  it('WebHdfsFileSystem defaults to Hadoop\'s 022', () => {
    const w = new WebHdfsFileSystem({ endpoint: { baseUrl: 'http://nn:9870', authority: 'nn:8020', configKey: 'k', configSource: 's' }, user: 'u' });
    expect(w.umask).toBe(0o022);
  });
});
