import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  createApp,
  connectDatabase,
  createLogger,
  Indexer,
  Ledger,
  Reconciler,
  localApiConfig,
  localFabricConfig,
  type ApiConfig,
  type Database,
  type Logger,
} from '@fabric-wallet/api';
import { parseNetwork } from '@fabric-wallet/operator/api';
import { LocalNetwork } from '@fabric-wallet/operator/local';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { Contract } from './contract.js';
import { startFerretDb } from './ferretdb.js';
import type { Started } from './processes.js';
import { tempDir, type TempDir } from './temp.js';

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly raw?: string;
}

export interface CallResult {
  readonly status: number;
  readonly type: string;
  /** The JSON answer ({} for an empty or non-JSON one, whose text is in `text`). */
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Headers;
}

/**
 * The API in-process over the real local network, a real FerretDB and a running indexer:
 * what the API suites share. `stop()` tears everything down.
 */
export class ApiHarness {
  private constructor(
    readonly dir: TempDir,
    readonly network: LocalNetwork,
    private readonly ferret: Started,
    readonly db: Database,
    readonly ledger: Ledger,
    readonly indexer: Indexer,
    readonly reconciler: Reconciler,
    readonly config: ApiConfig,
    readonly app: ReturnType<typeof createApp>,
  ) {}

  /** `overrides` change the API's configuration (limits, hashing) for one suite. */
  static async start(name: string, logger?: Logger, overrides: Partial<ApiConfig> = {}): Promise<ApiHarness> {
    const dir = await tempDir(name);
    const manifest = await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8');
    const network = new LocalNetwork({ dataDir: join(dir.path, 'network'), network: parseNetwork(manifest) });
    let ferret: Awaited<ReturnType<typeof startFerretDb>> | undefined;
    try {
      await network.up();
      ferret = await startFerretDb(dir.path);
      const db = await connectDatabase(ferret.uri, 'wallet');
      const config = localApiConfig(await localFabricConfig(join(dir.path, 'network')), {
        adminToken: randomBytes(24).toString('hex'),
        ...overrides,
      });
      const ledger = new Ledger(config.fabric);
      // The indexer runs alongside the requests, applying the same transactions a second time.
      const indexer = new Indexer(db.collections, ledger, config.fabric.registrar, createLogger('silent'));
      indexer.start();
      // Checks a payer the ledger refused after 500 ms; no periodic sweep (tests call sweep()).
      const reconciler = new Reconciler(
        db.collections,
        ledger,
        config.fabric.registrar,
        createLogger('silent'),
        {
          sweepIntervalMs: 0,
          eventDelayMs: 500,
        },
      );
      const app = createApp({
        config,
        db,
        ledger,
        logger: logger ?? createLogger('silent'),
        indexer,
        reconciler,
      });
      return new ApiHarness(dir, network, ferret.process, db, ledger, indexer, reconciler, config, app);
    } catch (error) {
      // Leave no process behind when the harness cannot start.
      await ferret?.process.stop();
      await network.down();
      await dir.remove();
      throw error;
    }
  }

  private readonly closers: (() => Promise<void>)[] = [];
  private contract: Contract | undefined;

  async stop(): Promise<void> {
    for (const close of this.closers) await close();
    await this.reconciler.stop();
    await this.indexer.stop();
    this.ledger.close();
    await this.db.close();
    await this.ferret.stop();
    await this.network.down();
    await this.dir.remove();
  }

  /**
   * Serves the app over real HTTP on a free loopback port (what per-client limits need: a
   * socket with a peer address); returns its base URL. Closed by stop().
   */
  async listen(): Promise<string> {
    const server = serve({ fetch: this.app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
    await new Promise<void>((resolve) => server.once('listening', resolve));
    this.closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        }),
    );
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  /** Fails the test when an answer differs from the API's own OpenAPI document (contract.ts). */
  async conform(method: string, path: string, status: number, headers: Headers, text: string): Promise<void> {
    this.contract ??= new Contract(
      (await (await this.app.request('/openapi.json')).json()) as ConstructorParameters<typeof Contract>[0],
    );
    expect(
      this.contract.check(method, path, status, headers, text),
      'the answer differs from the OpenAPI document',
    ).toEqual([]);
  }

  /** A call through the app in-process; every answer is checked against the OpenAPI document. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined)
      headers['content-type'] ??= 'application/json';
    const response = await this.app.request(path, {
      method,
      headers,
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await response.text();
    await this.conform(method, path, response.status, response.headers, text);
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body:
        text && (response.headers.get('content-type') ?? '').includes('json')
          ? (JSON.parse(text) as Record<string, unknown>)
          : {},
      text,
      headers: response.headers,
    };
  }

  /** Registers and logs in a customer (or, with the admin token, a merchant); returns the session token. */
  async signUp(username: string, role: 'customer' | 'merchant' = 'customer'): Promise<string> {
    const body = { username, password: 'login-password-1', paymentPassword: 'pay-123456' };
    const registered =
      role === 'merchant'
        ? await this.call('POST', '/v1/admin/accounts', {
            token: this.config.adminToken,
            body: { ...body, role },
          })
        : await this.call('POST', '/v1/users', { body });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const login = await this.call('POST', '/v1/sessions', { body: { username, password: body.password } });
    expect(login.status).toBe(201);
    return login.body.token as string;
  }

  /** Creates a recharge order and confirms it through the development payment provider. */
  async recharge(token: string, amount: string): Promise<void> {
    const order = await this.call('POST', '/v1/recharges', {
      token,
      body: { amount },
      headers: { 'idempotency-key': `rc-${randomBytes(8).toString('hex')}` },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const paid = await this.call('POST', `/v1/dev/payments/${String(order.body.orderId)}/confirm`, {
      token,
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('minted');
  }

  /** Creates a screening tomorrow as `merchant` (its payment password as signUp sets it); returns its id. */
  async createScreening(
    merchant: string,
    screening: { film: string; seatMap: { row: string; count: number }[]; price: string },
  ): Promise<string> {
    const created = await this.call('POST', '/v1/cinema/screenings', {
      token: merchant,
      headers: { 'idempotency-key': `create-${randomBytes(8).toString('hex')}` },
      body: {
        ...screening,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        paymentPassword: 'pay-123456',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.screeningId as string;
  }

  async balance(token: string): Promise<string> {
    return (await this.call('GET', '/v1/me/balance', { token })).body.balance as string;
  }
}
