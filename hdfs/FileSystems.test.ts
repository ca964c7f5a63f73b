import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileSystem } from './FileSystem.js';
import { FileSystems, getFileSystem, registerFileSystem, supportedSchemes, uriScheme } from './FileSystems.js';
import { FileSystemError, HadoopConfigurationError } from './errors.js';
import { resolveWebHdfsUriEndpoint } from './HadoopConfiguration.js';
import { LocalFileSystem } from './LocalFileSystem.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';

let dir: string;
const savedEnv = { ...process.env };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsflink-fsreg-'));
  delete process.env['HADOOP_CONF_DIR'];
});
afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FileSystems registry', () => {
  it('knows file, hdfs and webhdfs; plain and Windows drive paths are file', () => {
    expect(supportedSchemes()).toEqual(expect.arrayContaining(['file', 'hdfs', 'webhdfs']));
    expect(uriScheme('/tmp/x')).toBe('file');
    expect(uriScheme('rel/x')).toBe('file');
    expect(uriScheme('C:\\data')).toBe('file');
    expect(uriScheme('HDFS://nn/x')).toBe('hdfs');
    expect(getFileSystem('file:///tmp')).toBeInstanceOf(LocalFileSystem);
    expect(FileSystems.get('/tmp')).toBe(getFileSystem('file:///'));
  });

  it('an unknown scheme names the supported ones', () => {
    expect(() => getFileSystem('s3://bucket/x')).toThrow(FileSystemError);
    expect(() => getFileSystem('s3://bucket/x')).toThrow(/unsupported file system scheme "s3:" in s3:\/\/bucket\/x; tsflink supports file:\/\/ \(or plain paths\), hdfs:\/\/, webhdfs:\/\//);
  });

  it('registers a scheme, refuses a silent replacement, and unregisters', () => {
    const fake = { scheme: 'mem' } as unknown as FileSystem;
    const unregister = registerFileSystem('mem', () => fake);
    try {
      expect(getFileSystem('mem://x/y')).toBe(fake);
      expect(supportedSchemes()).toContain('mem');
      expect(() => registerFileSystem('MEM', () => fake)).toThrow(/already registered.*replace: true/);
      expect(() => registerFileSystem('no good', () => fake)).toThrow(/invalid file system scheme/);
    } finally {
      unregister();
    }
    expect(() => getFileSystem('mem://x/y')).toThrow(/unsupported file system scheme "mem:"/);
  });

  it('replacing a built-in scheme restores it on unregister', () => {
    const fake = { scheme: 'file' } as unknown as FileSystem;
    const local = getFileSystem('/tmp');
    const unregister = registerFileSystem('file', () => fake, { replace: true });
    expect(getFileSystem('/tmp')).toBe(fake);
    unregister();
    expect(getFileSystem('/tmp')).toBe(local);
  });
});

describe('webhdfs scheme', () => {
  it('takes the NameNode HTTP address from the URI and qualifies paths with it', () => {
    const w = getFileSystem('webhdfs://nn:9871/a', { 'fs.hdfs.user': 'u' });
    expect(w).toBeInstanceOf(WebHdfsFileSystem);
    const wf = w as WebHdfsFileSystem;
    expect(wf.scheme).toBe('webhdfs');
    expect(wf.endpoint).toMatchObject({ baseUrl: 'http://nn:9871', authority: 'nn:9871' });
    expect(wf.toPath('webhdfs://nn:9871/a//b/')).toBe('/a/b');
    expect(wf.toPath('webhdfs:///a')).toBe('/a');
    expect(wf.qualify('/a')).toBe('webhdfs://nn:9871/a');
    expect(() => wf.toPath('hdfs://nn:8020/a')).toThrow(/not a webhdfs:\/\/ path/);
    expect(getFileSystem('webhdfs://nn:9871/b', { 'fs.hdfs.user': 'u' })).toBe(w);
    // Same HTTP endpoint through the hdfs scheme is another client (paths qualify differently).
    expect(getFileSystem('hdfs://nn:8020/a', { 'fs.hdfs.user': 'u', 'fs.hdfs.webhdfs.address': 'nn:9871' })).not.toBe(w);
  });

  it('webhdfs:/// resolves through fs.defaultFS (webhdfs:// or hdfs://) and defaults the port', () => {
    expect(resolveWebHdfsUriEndpoint('webhdfs://nn/x')).toMatchObject({ baseUrl: 'http://nn:9870', authority: 'nn:9870' });
    const core = (v: string) =>
      fs.writeFileSync(path.join(dir, 'core-site.xml'), `<configuration><property><name>fs.defaultFS</name><value>${v}</value></property></configuration>`);
    core('webhdfs://web:50070');
    expect(resolveWebHdfsUriEndpoint('webhdfs:///x', { 'fs.hdfs.hadoopconf': dir })).toMatchObject({ baseUrl: 'http://web:50070', configKey: 'fs.defaultFS' });
    core('hdfs://rpc:8020');
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), '<configuration><property><name>dfs.namenode.http-address</name><value>rpc:9999</value></property></configuration>');
    expect(resolveWebHdfsUriEndpoint('webhdfs:///x', { 'fs.hdfs.hadoopconf': dir })).toMatchObject({ baseUrl: 'http://rpc:9999', authority: 'rpc:9999' });
    expect(resolveWebHdfsUriEndpoint('webhdfs:///x', { 'fs.hdfs.webhdfs.address': 'http://explicit:1234/' })).toMatchObject({ baseUrl: 'http://explicit:1234' });
    core('file:///');
    expect(() => resolveWebHdfsUriEndpoint('webhdfs:///x', { 'fs.hdfs.hadoopconf': dir })).toThrow(HadoopConfigurationError);
    expect(() => resolveWebHdfsUriEndpoint('webhdfs:///x', { 'fs.hdfs.hadoopconf': dir })).toThrow(/neither hdfs:\/\/ nor webhdfs:\/\/.*webhdfs:\/\/namenode:9870/);
  });
});
