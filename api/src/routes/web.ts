import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { minorUnitName, type MoneyConfig } from '../config.js';
import type { AppEnv } from '../types.js';

/** The web wallet's files (api/public/wallet); same path from src/ and dist/. */
const DIR = fileURLToPath(new URL('../../public/wallet/', import.meta.url));
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/**
 * Browser modules of npm packages the page imports, read from the API package's own
 * dependencies (never a CDN): URL name -> package and the file beside its main entry.
 */
const VENDOR = {
  'qrcode.mjs': { pkg: 'qrcode-generator', file: 'qrcode.mjs' },
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

export interface WebOptions {
  /** The currency the page formats amounts in (GET /wallet/config.json). */
  readonly money: MoneyConfig;
  /** Whether the development payment provider is on: the page offers "confirm payment" only then. */
  readonly devPayments: boolean;
}

interface Served {
  readonly body: string;
  readonly type: string;
}

/** Every file the page needs by URL path, read once at start. */
function servedFiles({ money, devPayments }: WebOptions): Map<string, Served> {
  const files = new Map<string, Served>();
  for (const name of readdirSync(DIR)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(DIR, name), 'utf8');
    files.set(name === 'index.html' ? '/wallet' : `/wallet/${name}`, { body, type });
  }
  const require = createRequire(import.meta.url);
  for (const [name, { pkg, file }] of Object.entries(VENDOR)) {
    const body = readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
    files.set(`/wallet/vendor/${name}`, { body, type: TYPES['.mjs'] ?? 'text/javascript' });
  }
  const config = {
    currency: money.currency,
    exponent: money.exponent,
    minorUnit: minorUnitName(money),
    devPayments,
  };
  files.set('/wallet/config.json', { body: JSON.stringify(config), type: 'application/json' });
  return files;
}

/**
 * GET /wallet (the page), its modules and style, the vendored modules under /wallet/vendor/,
 * and /wallet/config.json (the currency, read-only); GET / leads to the page.
 */
export function webRoutes(app: OpenAPIHono<AppEnv>, options: WebOptions): void {
  for (const [path, { body, type }] of servedFiles(options)) {
    app.get(path, (c) => c.body(body, 200, { 'content-type': type, ...SECURITY_HEADERS }));
  }
  app.get('/', (c) => c.redirect('/wallet', 302));
}
