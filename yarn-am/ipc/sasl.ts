import { createHash, randomBytes } from 'node:crypto';

/**
 * SASL DIGEST-MD5 client (RFC 2831), the mechanism behind Hadoop TOKEN auth.
 * Only qop=auth is supported: Hadoop's insecure clusters (and the default
 * hadoop.rpc.protection=authentication) never negotiate integrity/privacy wrapping.
 */

/** Parses a DIGEST-MD5 challenge `k=v,k="v",...` (values may be quoted, with backslash escapes). */
export function parseDigestChallenge(challenge: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const s = challenge;
  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const key = s.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      i++; // closing quote
    } else {
      const comma = s.indexOf(',', i);
      const end = comma < 0 ? s.length : comma;
      value = s.slice(i, end).trim();
      i = end;
    }
    // RFC 2831: qop-options may repeat; keep the first otherwise.
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

function md5(data: Buffer | string): Buffer {
  return createHash('md5').update(data).digest();
}
function md5hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

export interface DigestParams {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  authzid?: string;
}

/** HA1 per RFC 2831 §2.1.2.1 (md5-sess): MD5( MD5(user:realm:pass) ":" nonce ":" cnonce [":" authzid] ). */
function ha1(p: DigestParams): string {
  const inner = md5(Buffer.from(`${p.username}:${p.realm}:${p.password}`, 'utf8'));
  const tail = `:${p.nonce}:${p.cnonce}` + (p.authzid ? `:${p.authzid}` : '');
  return md5hex(Buffer.concat([inner, Buffer.from(tail, 'utf8')]));
}

/** The `response` directive the client sends. */
export function digestResponse(p: DigestParams): string {
  const ha2 = md5hex(`AUTHENTICATE:${p.digestUri}`);
  return md5hex(`${ha1(p)}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/** The `rspauth` value the server must send back (proves it knows the token password too). */
export function digestRspAuth(p: DigestParams): string {
  const ha2 = md5hex(`:${p.digestUri}`);
  return md5hex(`${ha1(p)}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/** Client state for one DIGEST-MD5 exchange. */
export class DigestMd5Client {
  private params: DigestParams | undefined;
  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly protocol: string,
    private readonly serverId: string,
    private readonly cnonceOverride?: string,
  ) {}

  /** Answers the server's initial challenge. */
  evaluateChallenge(challenge: Uint8Array): Buffer {
    const c = parseDigestChallenge(Buffer.from(challenge).toString('utf8'));
    const nonce = c.get('nonce');
    if (!nonce) throw new Error('DIGEST-MD5: challenge without nonce');
    const qops = (c.get('qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth')) {
      throw new Error(`DIGEST-MD5: server requires qop ${qops.join(',')}; only "auth" is supported (hadoop.rpc.protection=authentication)`);
    }
    const algorithm = c.get('algorithm');
    if (algorithm && algorithm !== 'md5-sess') throw new Error(`DIGEST-MD5: unsupported algorithm ${algorithm}`);
    const realm = c.get('realm') ?? '';
    const charset = c.get('charset');
    this.params = {
      username: this.username,
      password: this.password,
      realm,
      nonce,
      cnonce: this.cnonceOverride ?? randomBytes(12).toString('base64'),
      nc: '00000001',
      qop: 'auth',
      digestUri: `${this.protocol}/${this.serverId}`,
    };
    const p = this.params;
    const parts = [
      ...(charset ? [`charset=${charset}`] : []),
      `username="${quote(p.username)}"`,
      ...(c.has('realm') ? [`realm="${quote(realm)}"`] : []),
      `nonce="${quote(p.nonce)}"`,
      `nc=${p.nc}`,
      `cnonce="${quote(p.cnonce)}"`,
      `digest-uri="${quote(p.digestUri)}"`,
      `maxbuf=65536`,
      `response=${digestResponse(p)}`,
      `qop=auth`,
    ];
    return Buffer.from(parts.join(','), 'utf8');
  }

  /** Checks the server's final `rspauth=...`; throws if it does not match. */
  verifyServerFinal(token: Uint8Array): void {
    if (!this.params) throw new Error('DIGEST-MD5: no exchange in progress');
    const c = parseDigestChallenge(Buffer.from(token).toString('utf8'));
    const got = c.get('rspauth');
    if (got === undefined) return; // nothing to verify
    const want = digestRspAuth(this.params);
    if (got !== want) throw new Error('DIGEST-MD5: server rspauth mismatch (server does not know the token secret)');
  }
}

function quote(v: string): string {
  return v.replace(/(["\\])/g, '\\$1');
}
