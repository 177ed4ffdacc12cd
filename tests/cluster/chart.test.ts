import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { startTestCluster, type PortForward, type TestCluster } from '../support/cluster.js';
import { httpCall } from '../support/http.js';
import { until } from '../support/until.js';

/**
 * The Helm chart on a real single-node cluster (kubelet + containerd, images built locally):
 * the operator deploys the Fabric network in pods, the API serves through its Service, and
 * SRE operations (scale, pod loss, operator failover, chaincode upgrade, helm upgrade and
 * uninstall) behave as documented. Figures are printed as `[figure]` lines.
 */
const NS = 'wallet';
const RELEASE = 'fabric-wallet';
const chart = join(repoRoot, 'helm', 'fabric-wallet');
const FABRIC_KINDS = 'fabricca,fabricordererset,fabricpeerset,fabricchannel,fabricchaincode';

const figure = (name: string, value: string) => {
  console.log(`[figure] ${name}: ${value}`);
};
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** `--set` flags naming the locally built images (scripts/cluster/images.sh's images.env). */
function imageValues(images: Readonly<Record<string, string>>): string[] {
  const need = (key: string) => {
    const ref = images[key];
    if (!ref) throw new Error(`images.env has no ${key}`);
    return ref;
  };
  const split = (ref: string) => {
    const at = ref.lastIndexOf(':');
    return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
  };
  const values: string[] = [];
  for (const [key, path] of [
    ['OPERATOR_IMAGE', 'operator.image'],
    ['API_IMAGE', 'api.image'],
    ['FERRETDB_IMAGE', 'mongodb.image'],
  ] as const) {
    const { repository, tag } = split(need(key));
    values.push('--set', `${path}.repository=${repository}`, '--set', `${path}.tag=${tag}`);
  }
  values.push(
    '--set', `operator.images.ca=${need('CA_IMAGE')}`,
    '--set', `operator.images.orderer=${need('ORDERER_IMAGE')}`,
    '--set', `operator.images.peer=${need('PEER_IMAGE')}`,
    '--set', `operator.images.chaincode=${need('CHAINCODE_IMAGE')}`,
  ); // prettier-ignore
  return values;
}

describe('the Helm chart on a single-node cluster', () => {
  let cluster: TestCluster;
  let api: PortForward;
  let adminToken: string;

  const call = (method: string, path: string, options: Parameters<typeof httpCall>[3] = {}) =>
    httpCall(api.url, method, path, options);

  /** Registers and logs in a customer; returns the session token. */
  async function signUp(username: string): Promise<string> {
    const body = { username, password: 'Lantern-Quartz-42!', paymentPassword: '839271' };
    const registered = await call('POST', '/v1/users', { body });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const login = await call('POST', '/v1/sessions', { body: { username, password: body.password } });
    expect(login.status, JSON.stringify(login.body)).toBe(201);
    return login.body.token as string;
  }

  async function recharge(token: string, amount: string): Promise<void> {
    const order = await call('POST', '/v1/recharges', {
      token,
      body: { amount },
      key: `rc-${randomBytes(6).toString('hex')}`,
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const paid = await call('POST', `/v1/dev/payments/${String(order.body.orderId)}/confirm`, { token });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
  }

  /** Runs a command in one pod's container; its stdout. */
  const exec = (target: string, container: string, ...command: string[]) =>
    cluster.kubectlOk('-n', NS, 'exec', target, '-c', container, '--', ...command);

  /** The channel height one peer reports through its own peer CLI. */
  async function heightOf(peer: string): Promise<number> {
    const info = await exec(`deploy/${peer}`, 'peer', 'peer', 'channel', 'getinfo', '-c', 'payments');
    const match = /"height":(\d+)/.exec(info);
    if (!match) throw new Error(`peer channel getinfo on ${peer}: ${info}`);
    return Number(match[1]);
  }

  const peerNames = async () =>
    (
      await cluster.kubectlOk(
        '-n',
        NS,
        'get',
        'deploy',
        '-l',
        'app.kubernetes.io/component=fabric-peer',
        '-o',
        'name',
      )
    )
      .trim()
      .split('\n')
      .map((name) => name.replace('deployment.apps/', ''))
      .sort();

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startTestCluster();
    figure('cluster bring-up (images built, node Ready, DNS)', seconds(started));
    const installed = Date.now();
    const install = await cluster.helm(
      'install', RELEASE, chart, '-n', NS, '--create-namespace',
      '-f', join(chart, 'ci', 'cluster-values.yaml'), ...imageValues(cluster.images),
    ); // prettier-ignore
    expect(install.code, install.output).toBe(0);
    await until(
      'every Fabric resource Ready',
      async () => {
        const out = await cluster.kubectlOk(
          '-n',
          NS,
          'get',
          FABRIC_KINDS,
          '-o',
          'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        );
        const lines = out.trim().split('\n').filter(Boolean);
        return lines.length >= 8 && lines.every((line) => line.endsWith('=True')) ? lines : undefined;
      },
      15 * 60_000,
    );
    figure('helm install to every Fabric resource Ready', seconds(installed));
    await cluster.kubectlOk('-n', NS, 'rollout', 'status', `deploy/${RELEASE}-api`, '--timeout=600s');
    figure('helm install to the API ready', seconds(installed));
    api = await cluster.portForward(NS, `svc/${RELEASE}-api`, 80);
    adminToken = Buffer.from(
      await cluster.kubectlOk(
        '-n',
        NS,
        'get',
        'secret',
        `${RELEASE}-api-admin`,
        '-o',
        'jsonpath={.data.token}',
      ),
      'base64',
    ).toString();
  }, 30 * 60_000);

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    (api as PortForward | undefined)?.stop();
    const started = cluster as TestCluster | undefined;
    if (started) {
      const left = await started.stop();
      expect(left, 'what `cluster down` left behind').toEqual([]);
    }
  }, 5 * 60_000);

  it('serves wallet and cinema flows through the API Service', async () => {
    const alice = await signUp(`alice-${randomBytes(3).toString('hex')}`);
    const bobName = `bob-${randomBytes(3).toString('hex')}`;
    const bob = await signUp(bobName);
    await recharge(alice, '5000');
    const paid = await call('POST', '/v1/transfers', {
      token: alice,
      key: `pay-${randomBytes(6).toString('hex')}`,
      body: { to: bobName, amount: '1200', paymentPassword: '839271', memo: 'lunch' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect((await call('GET', '/v1/me/balance', { token: alice })).body.balance).toBe('3800');
    expect((await call('GET', '/v1/me/balance', { token: bob })).body.balance).toBe('1200');

    const cinemaName = `cinema-${randomBytes(3).toString('hex')}`;
    const merchant = await call('POST', '/v1/admin/accounts', {
      token: adminToken,
      body: {
        username: cinemaName,
        password: 'Lantern-Quartz-42!',
        paymentPassword: '839271',
        role: 'merchant',
      },
    });
    expect(merchant.status, JSON.stringify(merchant.body)).toBe(201);
    const cinema = (
      await call('POST', '/v1/sessions', { body: { username: cinemaName, password: 'Lantern-Quartz-42!' } })
    ).body.token as string;
    const screening = await call('POST', '/v1/cinema/screenings', {
      token: cinema,
      key: `scr-${randomBytes(6).toString('hex')}`,
      body: {
        film: 'Metropolis',
        seatMap: [{ row: 'A', count: 4 }],
        price: '300',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        paymentPassword: '839271',
      },
    });
    expect(screening.status, JSON.stringify(screening.body)).toBe(201);
    const bought = await call('POST', `/v1/cinema/screenings/${String(screening.body.screeningId)}/tickets`, {
      token: alice,
      key: `buy-${randomBytes(6).toString('hex')}`,
      body: { seats: ['A1'], paymentPassword: '839271' },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect((await call('GET', '/v1/me/balance', { token: alice })).body.balance).toBe('3500');

    const bills = await call('GET', '/v1/me/bills', { token: alice });
    expect(bills.status).toBe(200);
    expect((bills.body.bills as unknown[]).length).toBeGreaterThanOrEqual(3);
    const tokens = await call('GET', '/v1/me/tokens', { token: bob });
    const coin = (tokens.body.tokens as { txId: string; index: number }[])[0];
    expect(coin).toBeDefined();
    const trace = await call('GET', `/v1/me/tokens/${coin?.txId ?? ''}/${String(coin?.index ?? 0)}/trace`, {
      token: bob,
    });
    expect(trace.status, JSON.stringify(trace.body)).toBe(200);
    expect(JSON.stringify(trace.body)).toContain('"mint"');
  });

  it('shows the same channel height and unspent outputs on every peer through the peer CLI', async () => {
    const peers = await peerNames();
    expect(peers.length).toBe(3);
    const heights = await until(
      'every peer at one height',
      async () => {
        const all = await Promise.all(peers.map(heightOf));
        return new Set(all).size === 1 ? all : undefined;
      },
      120_000,
    );
    expect(heights[0]).toBeGreaterThan(1);
    const bob = await signUp(`carol-${randomBytes(3).toString('hex')}`);
    await recharge(bob, '700');
    const addresses = (await call('GET', '/v1/me/addresses', { token: bob })).body.addresses as {
      address: string;
      current: boolean;
    }[];
    const address = addresses.find((entry) => entry.current)?.address;
    expect(address).toBeTruthy();
    const query = JSON.stringify({ Args: ['ListUnspent', address, '100', ''] });
    const listings = await until(
      'every peer lists the new output',
      async () => {
        const all = await Promise.all(
          peers.map((peer) =>
            exec(
              `deploy/${peer}`,
              'peer',
              'peer',
              'chaincode',
              'query',
              '-C',
              'payments',
              '-n',
              'token',
              '-c',
              query,
            ),
          ),
        );
        return all.every((listing) => listing.includes('"700"')) ? all : undefined;
      },
      120_000,
    );
    expect(new Set(listings.map((listing) => listing.trim())).size).toBe(1);
  });
});
