import { readFileSync } from 'node:fs';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../types.js';

/** The web wallet's files (api/public/wallet), read once at start; same path from src/ and dist/. */
const DIR = new URL('../../public/wallet/', import.meta.url);
const FILES = {
  '/wallet': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/wallet/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/wallet/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/**
 * Only this origin's own files and API: no inline script or style, no framing, no
 * third-party anything, so injected markup could neither run nor load.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** GET /wallet (the page), its script and style; GET / leads to it. */
export function webRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    const body = readFileSync(new URL(file, DIR), 'utf8');
    app.get(path, (c) => c.body(body, 200, { 'content-type': type, ...SECURITY_HEADERS }));
  }
  app.get('/', (c) => c.redirect('/wallet', 302));
}
