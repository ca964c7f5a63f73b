// YARN's web proxy as Hadoop's AmIpFilter sees it: PROXY_HOSTS (who may forward requests to the
// AM) and PROXY_URI_BASES (where a browser reaches the AM through it). Java AMs get them from
// WebAppUtils.getProxyHostsAndPortsForAmFilter; this is the same derivation from yarn-site.xml.
import { HadoopSiteConfig, parseHostPort } from './ipc/config.js';

export interface WebProxyFilterParams {
  /** Host names of the proxies (AmIpFilter's PROXY_HOSTS). */
  proxyHosts: string[];
  /** http://<proxy host:port>/proxy/<appId> (AmIpFilter's PROXY_URI_BASES). */
  proxyUriBases: string[];
}

/**
 * The proxies: yarn.web-proxy.address when a standalone proxy runs, else every ResourceManager's
 * web address (the RM runs the proxy itself; with HA one per yarn.resourcemanager.ha.rm-ids).
 * The environment's PROXY_HOSTS / PROXY_URI_BASES (comma-separated, AmIpFilter's names) win.
 */
export function webProxyFilterParams(site: HadoopSiteConfig, applicationId: string, env: NodeJS.ProcessEnv = process.env): WebProxyFilterParams {
  const base = env['APPLICATION_WEB_PROXY_BASE'] ?? `/proxy/${applicationId}`;
  const addresses: string[] = [];
  const proxy = site.get('yarn.web-proxy.address');
  if (proxy) addresses.push(proxy);
  else {
    const ids = (site.get('yarn.resourcemanager.ha.rm-ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const haEnabled = site.get('yarn.resourcemanager.ha.enabled') === 'true' && ids.length > 0;
    for (const suffix of haEnabled ? ids.map((id) => `.${id}`) : ['']) {
      const web = site.get(`yarn.resourcemanager.webapp.address${suffix}`);
      const host = site.get(`yarn.resourcemanager.hostname${suffix}`);
      if (web) addresses.push(web);
      else if (host) addresses.push(`${host}:8088`);
    }
  }
  const parsed = addresses.map((a) => parseHostPort(a, 8088)).filter((a) => a.host !== '0.0.0.0');
  const split = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));
  return {
    proxyHosts: split(env['PROXY_HOSTS']) ?? [...new Set(parsed.map((a) => a.host))],
    proxyUriBases: split(env['PROXY_URI_BASES']) ?? parsed.map((a) => `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}${base}`),
  };
}
