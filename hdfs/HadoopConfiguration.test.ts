import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HadoopConfigurationError } from './errors.js';
import { getFileSystem } from './FileSystems.js';
import { HadoopConfiguration, confValue, resolveHdfsUser, resolveWebHdfsEndpoint } from './HadoopConfiguration.js';
import { expandVariables, parseHadoopXml } from './hadoopXml.js';
import { WebHdfsFileSystem } from './WebHdfsFileSystem.js';

const site = (props: Record<string, string>) =>
  `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props)
    .map(([k, v]) => `  <property>\n    <name>${k}</name>\n    <value>${v}</value>\n  </property>`)
    .join('\n')}\n</configuration>\n`;

let dir: string;
const savedEnv = { ...process.env };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsflink-hconf-'));
  delete process.env['HADOOP_CONF_DIR'];
  delete process.env['HADOOP_USER_NAME'];
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

describe('parseHadoopXml', () => {
  it('reads names, values, final flags, entities, CDATA and skips comments', () => {
    const props = parseHadoopXml(`<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<!-- <property><name>commented.out</name><value>x</value></property> -->
<configuration>
  <property>
    <name> fs.defaultFS </name>
    <value>hdfs://nn:8020</value>
    <description>the default</description>
  </property>
  <property><name>a.b</name><value>x &amp; y &lt;z&gt; &#65;</value><final>true</final></property>
  <property><name>empty</name><value/></property>
  <property><name>cdata</name><value><![CDATA[<raw & text>]]></value></property>
</configuration>`);
    expect(props).toEqual([
      { name: 'fs.defaultFS', value: 'hdfs://nn:8020', final: false },
      { name: 'a.b', value: 'x & y <z> A', final: true },
      { name: 'empty', value: '', final: false },
      { name: 'cdata', value: '<raw & text>', final: false },
    ]);
  });

  it('rejects non-configuration documents and nameless properties with the file name', () => {
    expect(() => parseHadoopXml('<foo/>', '/x/core-site.xml')).toThrow(/core-site.xml: no <configuration>/);
    expect(() => parseHadoopXml('<configuration><property><value>1</value></property></configuration>', 'f.xml')).toThrow(/without <name>/);
  });

  it('expands ${var} and ${env.X}', () => {
    process.env['TSF_TEST_VAR'] = 'envval';
    const look = (n: string) => ({ a: 'A', b: '${a}-b' })[n];
    expect(expandVariables('${b}/${env.TSF_TEST_VAR}/${missing}', look)).toBe('A-b/envval/${missing}');
  });
});

describe('HadoopConfiguration', () => {
  it('loads core/hdfs-site from a directory; later files override unless final', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://nn:8020', 'x.y': 'core' }));
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'x.y': 'hdfs', 'dfs.namenode.http-address': 'nn:9870' }));
    const c = HadoopConfiguration.load(dir);
    expect(c.get('fs.defaultFS')).toBe('hdfs://nn:8020');
    expect(c.get('x.y')).toBe('hdfs');
    expect(c.source('x.y')).toBe(path.join(dir, 'hdfs-site.xml'));
  });

  it('names the missing directory and the keys that set it', () => {
    expect(() => HadoopConfiguration.load(path.join(dir, 'nope'))).toThrow(/does not exist; fix HADOOP_CONF_DIR or the config key fs\.hdfs\.hadoopconf/);
  });

  it('reads flat and nested tsflink config keys', () => {
    expect(confValue({ 'fs.hdfs.user': 'a' }, 'fs.hdfs.user')).toBe('a');
    expect(confValue({ fs: { hdfs: { user: 'b' } } }, 'fs.hdfs.user')).toBe('b');
    expect(confValue({ fs: { 'hdfs.webhdfs.address': 'c' } }, 'fs.hdfs.webhdfs.address')).toBe('c');
  });
});

describe('resolveWebHdfsEndpoint', () => {
  it('hdfs:///p uses fs.defaultFS and dfs.namenode.http-address from HADOOP_CONF_DIR', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://nn1.example:8020' }));
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'dfs.namenode.http-address': 'nn1.example:50070' }));
    process.env['HADOOP_CONF_DIR'] = dir;
    const e = resolveWebHdfsEndpoint('hdfs:///flink/chk');
    expect(e).toMatchObject({ baseUrl: 'http://nn1.example:50070', authority: 'nn1.example:8020', configKey: 'dfs.namenode.http-address' });
    expect(e.configSource).toBe(path.join(dir, 'hdfs-site.xml'));
  });

  it('fs.hdfs.hadoopconf beats HADOOP_CONF_DIR; a wildcard http bind address takes the RPC host', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://nnx:8020' }));
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'dfs.namenode.http-address': '0.0.0.0:9871' }));
    process.env['HADOOP_CONF_DIR'] = '/definitely/not/here';
    expect(resolveWebHdfsEndpoint('hdfs:///x', { 'fs.hdfs.hadoopconf': dir }).baseUrl).toBe('http://nnx:9871');
  });

  it('fs.hdfs.webhdfs.address overrides everything (with or without scheme)', () => {
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'dfs.namenode.http-address': 'nn:9870' }));
    const e = resolveWebHdfsEndpoint('hdfs://nn:8020/x', { 'fs.hdfs.hadoopconf': dir, 'fs.hdfs.webhdfs.address': 'other:1234' });
    expect(e).toMatchObject({ baseUrl: 'http://other:1234', authority: 'nn:8020', configKey: 'fs.hdfs.webhdfs.address' });
    expect(resolveWebHdfsEndpoint('hdfs:///x', { 'fs.hdfs.webhdfs.address': 'https://secure:9871/' }).baseUrl).toBe('https://secure:9871');
  });

  it('an explicit hdfs://host:port of another NameNode falls back to host:9870', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://nn:8020' }));
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'dfs.namenode.http-address': 'nn:9870' }));
    expect(resolveWebHdfsEndpoint('hdfs://other:8020/x', { 'fs.hdfs.hadoopconf': dir }).baseUrl).toBe('http://other:9870');
    expect(resolveWebHdfsEndpoint('hdfs://nn:8020/x', { 'fs.hdfs.hadoopconf': dir }).baseUrl).toBe('http://nn:9870');
  });

  it('flink.hadoop.* keys override the XML files', () => {
    fs.writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ 'dfs.namenode.http-address': 'nn:9870' }));
    expect(resolveWebHdfsEndpoint('hdfs://nn:8020/x', { 'fs.hdfs.hadoopconf': dir, 'flink.hadoop.dfs.namenode.http-address': 'nn:1111' }).baseUrl).toBe('http://nn:1111');
  });

  it('hdfs:/// without fs.defaultFS explains how to fix it', () => {
    expect(() => resolveWebHdfsEndpoint('hdfs:///x', {})).toThrow(HadoopConfigurationError);
    expect(() => resolveWebHdfsEndpoint('hdfs:///x', {})).toThrow(/fs\.defaultFS is not set.*fs\.hdfs\.webhdfs\.address/);
  });

  it('an HA nameservice fails fast with "not supported yet"', () => {
    fs.writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://mycluster' }));
    fs.writeFileSync(
      path.join(dir, 'hdfs-site.xml'),
      site({
        'dfs.nameservices': 'mycluster',
        'dfs.ha.namenodes.mycluster': 'nn1,nn2',
        'dfs.namenode.http-address.mycluster.nn1': 'a:9870',
        'dfs.namenode.http-address.mycluster.nn2': 'b:9870',
      }),
    );
    const t0 = Date.now();
    expect(() => getFileSystem('hdfs:///x', { 'fs.hdfs.hadoopconf': dir })).toThrow(/HA nameservice.*not supported yet.*fs\.hdfs\.webhdfs\.address/);
    expect(() => getFileSystem('hdfs://mycluster/x', { 'fs.hdfs.hadoopconf': dir })).toThrow(HadoopConfigurationError);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a single-NameNode nameservice resolves through its suffixed key', () => {
    fs.writeFileSync(
      path.join(dir, 'hdfs-site.xml'),
      site({ 'dfs.nameservices': 'ns1', 'dfs.ha.namenodes.ns1': 'only', 'dfs.namenode.http-address.ns1.only': 'solo:9870' }),
    );
    expect(resolveWebHdfsEndpoint('hdfs://ns1/x', { 'fs.hdfs.hadoopconf': dir })).toMatchObject({
      baseUrl: 'http://solo:9870',
      configKey: 'dfs.namenode.http-address.ns1.only',
    });
  });
});

describe('hdfs user and paths', () => {
  it('user.name: fs.hdfs.user, then HADOOP_USER_NAME, then the OS user', () => {
    expect(resolveHdfsUser({ 'fs.hdfs.user': 'cfg' })).toBe('cfg');
    process.env['HADOOP_USER_NAME'] = 'envuser';
    expect(resolveHdfsUser({})).toBe('envuser');
    delete process.env['HADOOP_USER_NAME'];
    expect(resolveHdfsUser()).toBe(os.userInfo().username);
  });

  it('maps URIs and relative paths to NameNode paths and refuses another NameNode', () => {
    const fsys = new WebHdfsFileSystem({ endpoint: { baseUrl: 'http://nn:9870', authority: 'nn:8020', configKey: 'k', configSource: 's' }, user: 'u' });
    expect(fsys.toPath('hdfs://nn:8020/a//b/')).toBe('/a/b');
    expect(fsys.toPath('hdfs:///a')).toBe('/a');
    expect(fsys.toPath('rel/x')).toBe('/user/u/rel/x');
    expect(() => fsys.toPath('hdfs://other:8020/a')).toThrow(/belongs to NameNode other:8020/);
    expect(fsys.qualify('/a')).toBe('hdfs://nn:8020/a');
  });

  it('getFileSystem rejects unknown schemes and caches clients per endpoint', () => {
    expect(() => getFileSystem('s3://bucket/x')).toThrow(/unsupported file system scheme "s3:"/);
    const conf = { 'fs.hdfs.webhdfs.address': 'nn:9870', 'fs.hdfs.user': 'x' };
    expect(getFileSystem('hdfs://nn:8020/a', conf)).toBe(getFileSystem('hdfs://nn:8020/b', conf));
  });
});
