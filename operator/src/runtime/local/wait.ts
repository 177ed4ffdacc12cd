import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `caFile` exists and `url` answers 200 over TLS verified against it; returns
 * the CA certificate. Fails early when `alive()` says the process is gone.
 */
export async function waitForHttps(
  url: string,
  caFile: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not started';
  for (;;) {
    if (!alive()) throw new Error(`the server for ${url} is not running (last: ${last})`);
    try {
      const ca = await readFile(caFile, 'utf8');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(url, { ca, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.end();
      });
      if (status === 200) return ca;
      last = `HTTP ${status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms (last: ${last})`);
    await sleep(200);
  }
}

/** Waits until 127.0.0.1:port accepts TCP; fails early when `alive()` says the process is gone. */
export async function waitForTcp(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the process for 127.0.0.1:${port} is not running`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`127.0.0.1:${port} did not accept connections within ${timeoutMs} ms`);
    await sleep(100);
  }
}
