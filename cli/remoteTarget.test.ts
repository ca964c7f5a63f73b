import { describe, expect, it } from 'vitest';
import { Configuration } from '../runtime/configuration/index.js';
import { applyClusterFlags, parseHostPort } from './remoteTarget.js';
import { formatListTime } from './commands/list.js';

describe('remote target flags', () => {
  it('parses host:port, IPv6 in brackets; rejects the rest', () => {
    expect(parseHostPort('localhost:8081')).toEqual({ host: 'localhost', port: 8081 });
    expect(parseHostPort('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    for (const bad of ['localhost', ':8081', 'h:0', 'h:70000', 'h:x']) expect(() => parseHostPort(bad), bad).toThrow(/Invalid -m value/);
  });

  it('-m sets rest.address/rest.port and the remote target, and names itself as the source', () => {
    const conf = new Configuration();
    expect(applyClusterFlags(conf, { jobmanager: 'jm.example:8082' })).toBe('from -m jm.example:8082');
    expect(conf.toMap()).toMatchObject({ 'rest.address': 'jm.example', 'rest.port': '8082', 'execution.target': 'remote' });
  });

  it('rest.address alone means remote; an explicit target wins', () => {
    const a = new Configuration().setString('rest.address', 'h', '-D');
    applyClusterFlags(a, {});
    expect(a.getString('execution.target')).toBe('remote');
    const b = new Configuration().setString('rest.address', 'h', '-D');
    applyClusterFlags(b, { target: 'local' });
    expect(b.getString('execution.target')).toBe('local');
    const c = new Configuration();
    applyClusterFlags(c, {});
    expect(c.getString('execution.target')).toBeUndefined();
  });

  it("list's time format is Flink's dd.MM.yyyy HH:mm:ss", () => {
    expect(formatListTime(new Date(2026, 10, 5, 7, 8, 9).getTime())).toBe('05.11.2026 07:08:09');
  });
});
