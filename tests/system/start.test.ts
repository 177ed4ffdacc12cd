import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * What `npm start` runs after the bootstrap and build: the whole system (network, FerretDB,
 * indexer, API, demo cinema) from one command, stopped by SIGINT.
 */
const launcher = join(repoRoot, 'api', 'dist', 'cli', 'start-local.js');

describe('the system launcher behind npm start', () => {
  let dir: TempDir;
  let child: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    await access(launcher).catch(() => {
      throw new Error(`${launcher} is missing: run npm run build (npm test builds first)`);
    });
    dir = await tempDir('start');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [launcher, '--data', join(dir.path, 'data')], {
      env: { ...process.env, API_PORT: String(port), LOG_LEVEL: 'warn', MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 240_000;
    while (!output.includes('Ctrl-C stops everything')) {
      if (child.exitCode !== null) throw new Error(`the launcher exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the launcher did not finish starting:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await dir.remove();
  });

  it('prints where the API and its docs are, and that the outer DB is FerretDB with telemetry off', () => {
    expect(output).toContain(`API:        ${base}`);
    expect(output).toContain(`${base}/docs`);
    expect(output).toContain(`web wallet: ${base}/wallet`);
    expect(output).toMatch(/outer DB: FerretDB on 127\.0\.0\.1:\d+ .*telemetry disabled/);
  });

  it('is ready (DB, ledger, indexer) and serves the seeded demo screenings', async () => {
    const ready = await fetch(`${base}/readyz`);
    const screenings = (await (await fetch(`${base}/v1/cinema/screenings`)).json()) as {
      screenings: { film: string }[];
    };

    expect(ready.status).toBe(200);
    expect(screenings.screenings.map((s) => s.film)).toEqual(['Metropolis', 'The General']);
    const page = await fetch(`${base}/wallet`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/wallet/app.js"></script>');
  });

  it('keeps the generated credentials out of its output, in files only the owner can read', async () => {
    const credentials = JSON.parse(await readFile(join(dir.path, 'data', 'demo-cinema.json'), 'utf8')) as {
      password: string;
      paymentPassword: string;
    };
    const token = (await readFile(join(dir.path, 'data', 'api-admin-token'), 'utf8')).trim();

    for (const secret of [credentials.password, credentials.paymentPassword, token])
      expect(output).not.toContain(secret);
    expect((await stat(join(dir.path, 'data', 'api-admin-token'))).mode & 0o077).toBe(0);
  });

  it('stops everything on SIGINT', async () => {
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];

    expect(code).toBe(0);
    expect(output).toContain('[wallet] stopped');
  });
});
