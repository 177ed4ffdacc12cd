import { describe, expect, it } from 'vitest';
import { routeApp, send } from './testing.js';
import { webRoutes } from './web.js';

const app = routeApp((hono) => {
  webRoutes(hono, { money: { currency: 'KWD', exponent: 3 }, devPayments: false });
});

describe('the web wallet routes', () => {
  it('serves the page and its modules with a strict content security policy', async () => {
    const page = await send(app, 'GET', '/wallet');
    const script = await send(app, 'GET', '/wallet/app.js');
    const style = await send(app, 'GET', '/wallet/app.css');

    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script type="module" src="/wallet/app.js">');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self';");
    expect(policy).not.toContain('unsafe-');
  });

  it('answers the currency the page formats amounts in, from the configuration', async () => {
    const config = await send(app, 'GET', '/wallet/config.json');

    expect(config.headers.get('content-type')).toBe('application/json');
    expect(config.body).toEqual({ currency: 'KWD', exponent: 3, minorUnit: '0.001 KWD', devPayments: false });
  });

  it('tells the page whether the development payment provider is on (only then it offers to confirm)', async () => {
    const dev = routeApp((hono) => {
      webRoutes(hono, { money: { currency: 'CNY', exponent: 2 }, devPayments: true });
    });
    expect((await send(dev, 'GET', '/wallet/config.json')).body).toMatchObject({ devPayments: true });
  });

  it('serves the QR encoder from the package’s own dependencies as an ES module', async () => {
    const vendored = await send(app, 'GET', '/wallet/vendor/qrcode.mjs');

    expect(vendored.status).toBe(200);
    expect(vendored.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(vendored.text).toContain('export default qrcode');
  });

  it('leads / to the page and knows no other file', async () => {
    const root = await send(app, 'GET', '/');
    const unknown = await send(app, 'GET', '/wallet/secret.txt');

    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/wallet');
    expect(unknown.status).toBe(404);
  });
});
