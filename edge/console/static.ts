/**
 * The console's own UI files, served from memory (read once at start, gzipped once), with
 * strict security headers. No CDN, no framework: the box works with no Internet.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_ROOT } from '../config/paths.js';

export const UI_DIR = resolve(APP_ROOT, 'edge', 'console', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  raw: Buffer;
  gz: Buffer;
  etag: string;
}

// The setup token travels in the URL fragment; no-referrer keeps any URL from leaking out.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function loadAssets(dir = UI_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    assets.set(name, asset(type, readFileSync(join(dir, name))));
  }
  return assets;
}

/**
 * Third-party files the UI loads on demand, from node_modules (installed with the box, so no
 * CDN): the trend page's chart library, imported only there.
 */
const VENDOR: Record<string, string> = {
  'uplot.js': 'uplot/dist/uPlot.esm.js',
  'uplot.css': 'uplot/dist/uPlot.min.css',
};

export function loadVendorAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('uplot/package.json'));
  const assets = new Map<string, Asset>();
  for (const [name, path] of Object.entries(VENDOR)) {
    const raw = readFileSync(join(root, '..', path));
    assets.set(name, asset(TYPES[extname(name)]!, raw));
  }
  return assets;
}

function asset(type: string, raw: Buffer): Asset {
  return { type, raw, gz: gzipSync(raw, { level: 9 }), etag: `"${createHash('sha1').update(raw).digest('base64url').slice(0, 16)}"` };
}

export function assetsGzipBytes(assets: Map<string, Asset>): number {
  let n = 0;
  for (const a of assets.values()) n += a.gz.length;
  return n;
}

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  const assets = loadAssets();
  const vendor = loadVendorAssets();
  const send = (name: string, req: FastifyRequest, reply: FastifyReply, from = assets) => {
    const a = from.get(name);
    if (!a) return reply.code(404).type('text/plain').send('not found');
    void reply.headers({ ...SECURITY_HEADERS, 'content-type': a.type, etag: a.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' });
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(a.gz);
    return reply.send(a.raw);
  };
  app.get('/', (req, reply) => send('index.html', req, reply));
  // Browsers ask for /favicon.ico whatever the page links; an SVG answers it (no 404 in every log).
  app.get('/favicon.ico', (req, reply) => send('favicon.svg', req, reply));
  app.get<{ Params: { file: string } }>('/ui/:file', (req, reply) => send(req.params.file, req, reply));
  app.get<{ Params: { file: string } }>('/ui/vendor/:file', (req, reply) => send(req.params.file, req, reply, vendor));
}
