import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, KubeError, KubeTimeoutError, type KubeObject } from './client.js';

/** A kubeconfig for `server` (plain HTTP is allowed only with skipTLSVerify). */
function kubeConfig(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'test-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return config;
}

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

type Answer = (seen: Seen) => { status: number; body: unknown } | undefined;

const discovery: Readonly<Record<string, object>> = {
  '/api/v1': { kind: 'APIResourceList', resources: [{ name: 'secrets', kind: 'Secret', namespaced: true }] },
  '/apis/fabricwallet.io/v1alpha1': {
    kind: 'APIResourceList',
    resources: [{ name: 'fabriccas', kind: 'FabricCA', namespaced: true }],
  },
};

const status = (code: number, reason: string, message: string) => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message },
});

const secret = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'ns', creationTimestamp: '2026-11-02T10:00:00Z' },
  data: { key: 'dmFsdWU=' },
});

const servers: (Server | ReturnType<typeof createTcpServer>)[] = [];
const clients: KubeClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) {
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
  }
});

/** A stand-in API server: discovery, then `answer` for everything else (a 404 Status by default). */
async function fakeApiServer(answer: Answer): Promise<{ client: KubeClient; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createHttpServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const known = discovery[request.url];
      if (!known) seen.push(request);
      const reply = known
        ? { status: 200, body: known }
        : (answer(request) ?? status(404, 'NotFound', 'not found'));
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new KubeClient(kubeConfig(`http://127.0.0.1:${String(port)}`), { FabricCA: 'fabriccas' });
  clients.push(client);
  return { client, seen };
}

describe('KubeClient', () => {
  it('fails a call the server never answers once its time is up, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    servers.push(silent);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const client = new KubeClient(kubeConfig(`http://127.0.0.1:${String(port)}`), {}, { timeoutMs: 300 });
    clients.push(client);

    const failure = client.get('/api/v1/namespaces/ns/secrets/s').catch((error: unknown) => error);
    const error = await failure;

    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect((error as Error).message).toBe('get Secret ns/s: no answer in 300 ms');
    expect(sockets.length).toBeGreaterThan(0);
    for (const socket of sockets) socket.destroy();
  });

  it('gives undefined for a missing object and the object as the server sent it otherwise', async () => {
    const { client, seen } = await fakeApiServer(({ url }) =>
      url === '/api/v1/namespaces/ns/secrets/there' ? { status: 200, body: secret('there') } : undefined,
    );

    const missing = await client.get('/api/v1/namespaces/ns/secrets/gone');
    const found = await client.get({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'there', namespace: 'ns' },
    });

    expect(missing).toBeUndefined();
    expect(found).toEqual(secret('there'));
    expect(seen.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'GET /api/v1/namespaces/ns/secrets/gone',
      'GET /api/v1/namespaces/ns/secrets/there',
    ]);
  });

  it('turns a refusal into a KubeError carrying the status, the reason and the server’s message', async () => {
    const { client } = await fakeApiServer(() =>
      status(403, 'Forbidden', 'secrets "s" is forbidden: User "x" cannot get resource "secrets"'),
    );

    const error = await client.get('/api/v1/namespaces/ns/secrets/s').catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({
      status: 403,
      reason: 'Forbidden',
      message: 'get Secret ns/s: 403 secrets "s" is forbidden: User "x" cannot get resource "secrets"',
    });
  });

  it('applies server-side, forced, as the field manager, and the status through its subresource', async () => {
    const { client, seen } = await fakeApiServer(({ body }) => ({
      status: 200,
      body: JSON.parse(body) as unknown,
    }));
    const ca: KubeObject = {
      apiVersion: 'fabricwallet.io/v1alpha1',
      kind: 'FabricCA',
      metadata: { name: 'org-ca', namespace: 'ns' },
      status: { observedGeneration: 2 },
    };

    await client.apply(secret('s'), 'manager');
    await client.apply(ca, 'manager', { subresource: 'status' });

    expect(seen.map(({ method, url, contentType }) => ({ method, url, contentType }))).toEqual([
      {
        method: 'PATCH',
        url: '/api/v1/namespaces/ns/secrets/s?fieldManager=manager&force=true',
        contentType: 'application/apply-patch+yaml',
      },
      {
        method: 'PATCH',
        url: '/apis/fabricwallet.io/v1alpha1/namespaces/ns/fabriccas/org-ca/status?fieldManager=manager&force=true',
        contentType: 'application/apply-patch+yaml',
      },
    ]);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual(ca);
  });

  it('tells whether it created or deleted anything (409 and 404 are answers, not failures)', async () => {
    const { client } = await fakeApiServer(({ method, url }) =>
      method === 'POST' && url.startsWith('/api/v1/namespaces/ns/secrets')
        ? status(409, 'AlreadyExists', 'secrets "s" already exists')
        : undefined,
    );

    expect(await client.createIfMissing(secret('s'), 'manager')).toBe(false);
    expect(await client.delete('/api/v1/namespaces/ns/secrets/s')).toBe(false);
  });

  it('refuses a path-addressed write whose body belongs elsewhere', async () => {
    const { client, seen } = await fakeApiServer(() => undefined);

    const error = await client
      .request('POST', '/api/v1/namespaces/other/secrets', secret('s'))
      .catch((failure: unknown) => failure);

    expect((error as Error).message).toBe(
      'POST /api/v1/namespaces/other/secrets: the body belongs at /api/v1/namespaces/ns/secrets',
    );
    expect(seen).toEqual([]);
  });
});
