import { describe, expect, it } from 'vitest';
import { HadoopSiteConfig } from './ipc/config.js';
import { webProxyFilterParams } from './WebProxy.js';

const site = (kv: Record<string, string>): HadoopSiteConfig => {
  const c = new HadoopSiteConfig();
  for (const [k, v] of Object.entries(kv)) c.set(k, v);
  return c;
};
const APP = 'application_1700000000000_0001';

describe('webProxyFilterParams (AmIpFilter PROXY_HOSTS / PROXY_URI_BASES)', () => {
  it('the RM web address runs the proxy unless a standalone one is configured', () => {
    expect(webProxyFilterParams(site({ 'yarn.resourcemanager.webapp.address': 'rm1.example:8088' }), APP, {}))
      .toEqual({ proxyHosts: ['rm1.example'], proxyUriBases: [`http://rm1.example:8088/proxy/${APP}`] });
    expect(webProxyFilterParams(site({ 'yarn.resourcemanager.webapp.address': 'rm1:8088', 'yarn.web-proxy.address': 'proxy.example:9046' }), APP, {}))
      .toEqual({ proxyHosts: ['proxy.example'], proxyUriBases: [`http://proxy.example:9046/proxy/${APP}`] });
    expect(webProxyFilterParams(site({ 'yarn.resourcemanager.hostname': 'rm2' }), APP, { APPLICATION_WEB_PROXY_BASE: `/proxy/${APP}` }).proxyUriBases)
      .toEqual([`http://rm2:8088/proxy/${APP}`]);
  });

  it('one proxy per ResourceManager with HA; wildcards are no proxy hosts', () => {
    const ha = site({
      'yarn.resourcemanager.ha.enabled': 'true', 'yarn.resourcemanager.ha.rm-ids': 'rm1, rm2',
      'yarn.resourcemanager.webapp.address.rm1': 'a.example:8088', 'yarn.resourcemanager.hostname.rm2': 'b.example',
    });
    expect(webProxyFilterParams(ha, APP, {}).proxyHosts).toEqual(['a.example', 'b.example']);
    expect(webProxyFilterParams(site({ 'yarn.resourcemanager.webapp.address': '0.0.0.0:8088' }), APP, {}).proxyHosts).toEqual([]);
  });

  it("the AM environment's PROXY_HOSTS / PROXY_URI_BASES win", () => {
    expect(webProxyFilterParams(site({ 'yarn.resourcemanager.webapp.address': 'rm1:8088' }), APP, { PROXY_HOSTS: 'p1, p2', PROXY_URI_BASES: 'http://p1/proxy/x' }))
      .toEqual({ proxyHosts: ['p1', 'p2'], proxyUriBases: ['http://p1/proxy/x'] });
  });
});
