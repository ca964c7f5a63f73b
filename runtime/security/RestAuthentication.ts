// Authentication of the REST API. The API accepts job bundles, i.e. runs code, so whenever it is
// reachable from other hosts every request carries a bearer token. The token is derived from the
// cluster secret (one-way), so whoever holds the secret (the CLI with the cluster's work dir, the
// submitter of a YARN application) presents it without user action, and a token that leaks (e.g.
// in a shell history) does not expose the secret of the RPC and data planes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** File holding the REST token next to the cluster secret (work dir; YARN staging directory). */
export const REST_TOKEN_FILE = 'rest-token';
const TOKEN_LABEL = 'tsflink rest token v1';

/** The REST bearer token of a cluster: HMAC-SHA256(secret, label) in hex. */
export function restTokenOf(secret: string): string {
  return createHmac('sha256', secret).update(TOKEN_LABEL).digest('hex');
}

const LOOPBACK_ONLY = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Whether a server bound to `bindAddress` is reachable from this host only (the only case REST may go unauthenticated). */
export function isLoopbackOnly(bindAddress: string): boolean {
  return LOOPBACK_ONLY.has(bindAddress.trim().toLowerCase());
}

export interface RestAuthenticationOptions {
  /** The token requests must present; required whenever `required` is true. */
  token?: string | undefined;
  /** Demand a credential even on loopback (YARN). Beyond loopback it is always demanded. */
  required?: boolean;
  /**
   * YARN's web proxy (Hadoop's AmIpFilter PROXY_HOSTS): read-only requests (GET, HEAD) from these
   * hosts are trusted without a token, as the AmIpFilter trusts them. Host names or IP addresses.
   */
  proxyHosts?: readonly string[];
  /** AmIpFilter's PROXY_URI_BASES, for messages (where a browser should go instead). */
  proxyUriBases?: readonly string[];
}

export interface RestRequestInfo {
  method: string;
  authorization: string | undefined;
  /** Peer address of the connection. */
  remoteAddress: string | undefined;
}

export type RestAuthenticationResult = { ok: true } | { ok: false; message: string };

export class RestAuthenticator {
  private readonly token: Buffer | undefined;
  private readonly proxyAddresses: Set<string>;

  /** `required`: whether this endpoint demands credentials (see restAuthenticationRequired). */
  constructor(private readonly opts: RestAuthenticationOptions, readonly required: boolean, proxyAddresses: Iterable<string> = []) {
    if (required && (opts.token === undefined || opts.token === '')) throw new Error('RestAuthenticator: a required credential needs a token');
    this.token = opts.token ? Buffer.from(opts.token, 'utf8') : undefined;
    this.proxyAddresses = new Set([...proxyAddresses].map(normalizeAddress));
  }

  check(req: RestRequestInfo): RestAuthenticationResult {
    const header = req.authorization?.trim();
    if (header === undefined || header === '') {
      if (!this.required) return { ok: true };
      if ((req.method === 'GET' || req.method === 'HEAD') && req.remoteAddress !== undefined && this.proxyAddresses.has(normalizeAddress(req.remoteAddress))) return { ok: true };
      return { ok: false, message: this.howTo('This REST endpoint requires a credential, and the request has none.') };
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return { ok: false, message: this.howTo('The Authorization header is not of the form "Bearer <token>".') };
    const given = Buffer.from(m[1]!, 'utf8');
    if (!this.token || given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
      return { ok: false, message: this.howTo('The bearer token is not valid for this cluster (another cluster\'s, or mistyped).') };
    }
    return { ok: true };
  }

  private howTo(why: string): string {
    const proxy = this.opts.proxyUriBases && this.opts.proxyUriBases.length > 0
      ? ` Read-only access without a token: through YARN's web proxy (${this.opts.proxyUriBases.join(', ')}).` : '';
    return `Unauthorized: ${why} Send "Authorization: Bearer <token>". The tsflink CLI and RestClusterClient do this by themselves when they find the cluster secret: ` +
      `the cluster's work dir (--work-dir or $TSFLINK_WORK_DIR, file cluster-secret; the token itself is in ${REST_TOKEN_FILE} there), $TSFLINK_CLUSTER_SECRET or security.cluster.secret; ` +
      `for a YARN application, -t yarn-application/yarn-session with -D yarn.application.id=<id> (the token is read from the application's staging directory).${proxy} See docs/deployment.md.`;
  }
}

/** Whether a REST endpoint bound to `bindAddress` must authenticate requests. */
export function restAuthenticationRequired(bindAddress: string, opts: RestAuthenticationOptions | undefined): boolean {
  return opts?.required === true || !isLoopbackOnly(bindAddress);
}

function normalizeAddress(a: string): string {
  const s = a.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return s.startsWith('::ffff:') && isIP(s.slice(7)) === 4 ? s.slice(7) : s;
}
