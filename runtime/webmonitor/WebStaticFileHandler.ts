// The web dashboard's static files (Flink's StaticFileServerHandler): index.html at `/` and the
// bundle under /web/, built by runtime/webmonitor/build.mjs into dist/runtime/webmonitor/web.
// They are read once at start-up; the UI is a handful of small files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { packageRoot } from '../configuration/packageRoot.js';

/** Where `npm run build` puts the bundled dashboard. */
export function webAssetsDir(): string {
  return join(packageRoot(), 'dist', 'runtime', 'webmonitor', 'web');
}

/** URL prefix of the bundled files (no REST path starts with it). */
export const WEB_ASSET_PREFIX = '/web/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile { body: Buffer; type: string; etag: string }

/**
 * Whether a request is for the dashboard's own files. They hold no cluster data (the UI reads
 * everything over REST with the user's credential), so they are served without one: the page must
 * load to ask for the token.
 */
export function isWebAssetRequest(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?', 1)[0] ?? '';
  return path === '/' || path === '/index.html' || path.startsWith(WEB_ASSET_PREFIX);
}

export class WebStaticFileHandler {
  private constructor(private readonly files: ReadonlyMap<string, StaticFile>, private readonly dir: string) {}

  /** Reads the built dashboard from `dir`; a missing build serves a page saying how to build it. */
  static load(dir = webAssetsDir()): WebStaticFileHandler {
    const files = new Map<string, StaticFile>();
    if (existsSync(join(dir, 'index.html'))) {
      const walk = (sub: string): void => {
        for (const name of readdirSync(join(dir, sub))) {
          const rel = sub ? `${sub}/${name}` : name;
          if (statSync(join(dir, rel)).isDirectory()) { walk(rel); continue; }
          const body = readFileSync(join(dir, rel));
          files.set(rel, { body, type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
        }
      };
      walk('');
    }
    return new WebStaticFileHandler(files, dir);
  }

  get built(): boolean { return this.files.has('index.html'); }

  register(app: FastifyInstance): void {
    app.get('/', async (req, reply) => this.send(req, reply, 'index.html'));
    app.get('/index.html', async (req, reply) => this.send(req, reply, 'index.html'));
    app.get(`${WEB_ASSET_PREFIX}*`, async (req, reply) => this.send(req, reply, (req.params as { '*': string })['*']));
  }

  private send(req: FastifyRequest, reply: FastifyReply, rel: string): FastifyReply | string {
    const file = this.files.get(rel);
    if (!file) {
      if (rel === 'index.html') {
        // A source checkout without `npm run build`: say so instead of a bare 404.
        reply.code(503).type('text/plain; charset=utf-8');
        return `The tsflink web UI is not built: ${this.dir} has no index.html. Run 'npm run build' (it bundles runtime/webmonitor/web-dashboard), then restart the JobManager. The REST API works regardless.\n`;
      }
      reply.code(404).type('application/json');
      return JSON.stringify({ errors: [`Not found: ${WEB_ASSET_PREFIX}${rel}`] });
    }
    // index.html names the bundle without a hash: revalidate everything (cheap, 304 by ETag).
    reply.header('cache-control', 'no-cache').header('etag', file.etag).header('x-content-type-options', 'nosniff');
    if (file.type.startsWith('text/html')) reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'");
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type(file.type).send(file.body);
  }
}
