import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

  /** The name of the pod (of a Fabric node's Deployment) now running `instance`, or ''. */
  const podOf = async (instance: string) =>
    (await cluster.kubectlOk('-n', NS, 'get', 'pod', '-l', `app.kubernetes.io/instance=${instance}`, '-o',
      'jsonpath={.items[0].metadata.name}')).trim(); // prettier-ignore

  /** Pods whose peer CLI has its org admin's MSP in /tmp/admin-msp (by pod name). */
  const adminReady = new Set<string>();

  /**
   * Runs the peer CLI in a peer's pod as its org's admin: the peer's own identity may read the
   * channel but not propose (the channel's Writers are admins and clients). The admin MSP comes
   * from the operator's Secret, copied with `kubectl cp` (no key on a command line).
   */
  async function peerCliAsAdmin(peer: string, ...command: string[]): Promise<string> {
    const pod = await podOf(peer);
    if (!adminReady.has(pod)) {
      const ca = peer.startsWith('cinema') ? 'cinema-ca' : 'wallet-ca';
      const secret = JSON.parse(
        await cluster.kubectlOk('-n', NS, 'get', 'secret', `${ca}-user-admin`, '-o', 'json'),
      ) as {
        data: Record<string, string>;
      };
      const dir = await mkdtemp(join(tmpdir(), 'admin-msp-'));
      try {
        const file = async (path: string, key: string) => {
          await mkdir(join(dir, 'msp', path, '..'), { recursive: true });
          await writeFile(join(dir, 'msp', path), Buffer.from(secret.data[key] ?? '', 'base64'), {
            mode: 0o600,
          });
        };
        await file('signcerts/cert.pem', 'cert.pem');
        await file('keystore/key.pem', 'key.pem');
        await file('cacerts/ca.pem', 'ca.pem');
        await file('config.yaml', 'config.yaml');
        await cluster.kubectlOk('-n', NS, 'cp', '-c', 'peer', join(dir, 'msp'), `${pod}:/tmp/admin-msp`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      adminReady.add(pod);
    }
    return cluster.kubectlOk(
      '-n',
      NS,
      'exec',
      pod,
      '-c',
      'peer',
      '--',
      'env',
      'CORE_PEER_MSPCONFIGPATH=/tmp/admin-msp',
      'peer',
      ...command,
    );
  }

  /** What ListUnspent(address) says on one peer, through its peer CLI. */
  const unspentOn = async (peer: string, address: string) => {
    const out = await peerCliAsAdmin(peer, 'chaincode', 'query', '-C', 'payments', '-n', 'token', '-c',
      JSON.stringify({ Args: ['ListUnspent', address, '100', ''] })); // prettier-ignore
    // The CLI's log lines come first (kubectl exec merges stderr); the answer is the JSON line.
    const answer = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .pop();
    if (!answer) throw new Error(`ListUnspent on ${peer} gave no answer: ${out.slice(-500)}`);
    return answer;
  };

  const peerNames = async () =>
    (
      await cluster.kubectlOk(
        '-n',
        NS,
        'get',
        'deploy',
        '-l',
        'app.kubernetes.io/name=fabric-peer',
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
    const listings = await until(
      'every peer lists the new output',
      async () => {
        const all = await Promise.all(peers.map((peer) => unspentOn(peer, address ?? '')));
        return all.every((listing) => listing.includes('"700"')) ? all : undefined;
      },
      120_000,
    );
    expect(new Set(listings.map((listing) => listing.trim())).size).toBe(1);
  });

  /** Every peer at one channel height; the heights. */
  const converged = (peers: readonly string[], timeoutMs = 180_000) =>
    until(
      'every peer at one height',
      async () => {
        const all = await Promise.all(peers.map(heightOf));
        return new Set(all).size === 1 ? (all[0] ?? 0) : undefined;
      },
      timeoutMs,
    );

  it('scales the wallet peers with kubectl: the new peer joins, gets the chaincode and catches up', async () => {
    const holder = await signUp(`dave-${randomBytes(3).toString('hex')}`);
    await recharge(holder, '900');
    const address =
      (
        (await call('GET', '/v1/me/addresses', { token: holder })).body.addresses as {
          address: string;
          current: boolean;
        }[]
      ).find((entry) => entry.current)?.address ?? '';
    const before = await peerNames();
    const target = await converged(before);

    const scaled = Date.now();
    await cluster.kubectlOk('-n', NS, 'scale', 'fabricpeerset/wallet', '--replicas=3');
    await until(
      'wallet-2 exists',
      async () => ((await peerNames()).includes('wallet-2') ? true : undefined),
      120_000,
    );
    await cluster.kubectlOk('-n', NS, 'rollout', 'status', 'deploy/wallet-2', '--timeout=300s');
    await until(
      'wallet-2 at the channel height',
      async () => ((await heightOf('wallet-2')) >= target ? true : undefined),
      300_000,
    );
    figure('kubectl scale 2 -> 3 wallet peers to the new peer at the same height', seconds(scaled));

    const peers = await peerNames();
    expect(peers).toEqual([...before, 'wallet-2'].sort());
    await converged(peers);
    const listing = await until('wallet-2 serves the chaincode', async () => {
      const out = await unspentOn('wallet-2', address).catch(() => '');
      return out.includes('"900"') ? out : undefined;
    }, 180_000); // prettier-ignore
    figure('kubectl scale to the new peer serving the same unspent outputs', seconds(scaled));
    expect(listing).toBe(await unspentOn('wallet-0', address));
    const status = JSON.parse(
      await cluster.kubectlOk('-n', NS, 'get', 'fabricpeerset/wallet', '-o', 'json'),
    ) as {
      status: { readyReplicas: number };
    };
    expect(status.status.readyReplicas).toBe(3);
  });

  it('keeps paying while a peer pod is deleted; the pod comes back and catches up; nothing lost or paid twice', async () => {
    // Four customers pay one merchant at once (one wallet's payments queue behind its coins;
    // several wallets are what a busy merchant sees).
    const payees = `frank-${randomBytes(3).toString('hex')}`;
    const payee = await signUp(payees);
    const payers = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const token = await signUp(`erin${String(i)}-${randomBytes(3).toString('hex')}`);
        await recharge(token, '25000');
        return token;
      }),
    );
    const amount = 7n;
    const keys: string[] = [];
    let stop = false;
    const answers = new Map<number, number>();
    /** One customer: pays again and again; each payment retried with its key until answered for good. */
    const client = async (payer: string) => {
      while (!stop) {
        const key = `load-${randomBytes(8).toString('hex')}`;
        for (let attempt = 0; ; attempt++) {
          const paid = await call('POST', '/v1/transfers', {
            token: payer,
            key,
            body: { to: payees, amount: String(amount), paymentPassword: '839271' },
          });
          answers.set(paid.status, (answers.get(paid.status) ?? 0) + 1);
          if (paid.status === 201) {
            keys.push(key);
            break;
          }
          if (paid.status >= 400 && paid.status < 500 && paid.status !== 409 && paid.status !== 429) break;
          if (attempt > 60)
            throw new Error(
              `payment ${key} not answered: ${String(paid.status)} ${JSON.stringify(paid.body)}`,
            );
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    };
    const clients = payers.map(client);
    await until('some payments made', () => Promise.resolve(keys.length >= 5 ? true : undefined), 120_000);

    const pod = await podOf('wallet-1');
    const deleted = Date.now();
    await cluster.kubectlOk('-n', NS, 'delete', 'pod', pod, '--wait=false');
    const madeBefore = keys.length;
    await until('a new wallet-1 pod', async () => {
      const now = await podOf('wallet-1');
      return now && now !== pod ? now : undefined;
    }, 120_000); // prettier-ignore
    await cluster.kubectlOk('-n', NS, 'rollout', 'status', 'deploy/wallet-1', '--timeout=300s');
    await until(
      'payments go on after the deletion',
      () => Promise.resolve(keys.length >= madeBefore + 10 ? true : undefined),
      180_000,
    );
    stop = true;
    await Promise.all(clients);
    const peers = await peerNames();
    await converged(peers);
    figure('peer pod deleted to back at the channel height', seconds(deleted));
    figure(
      'payments during the peer-pod test',
      `${String(keys.length)} made; answers ${JSON.stringify(Object.fromEntries(answers))}`,
    );

    expect(new Set(keys).size).toBe(keys.length);
    const made = BigInt(keys.length) * amount;
    await until('the outer DB has every payment', async () => {
      const balance = (await call('GET', '/v1/me/balance', { token: payee })).body.balance;
      return balance === String(made) ? true : undefined;
    }, 60_000); // prettier-ignore
    const paidOut = await Promise.all(
      payers.map(
        async (payer) =>
          25000n - BigInt((await call('GET', '/v1/me/balance', { token: payer })).body.balance as string),
      ),
    );
    expect(paidOut.reduce((sum, each) => sum + each, 0n)).toBe(made);
    const ledger = await call('GET', '/v1/me/tokens?source=ledger', { token: payee });
    const onLedger = (ledger.body.tokens as { amount: string }[]).reduce(
      (sum, t) => sum + BigInt(t.amount),
      0n,
    );
    expect(onLedger).toBe(made);
    const payeeAddresses = (await call('GET', '/v1/me/addresses', { token: payee })).body.addresses as {
      address: string;
    }[];
    const address = payeeAddresses[0]?.address ?? '';
    expect(await unspentOn('wallet-1', address)).toBe(await unspentOn('wallet-0', address));
  });

  it('hands the operator over when the leader is killed; the new leader reconciles a change made meanwhile', async () => {
    const leaseOf = async () =>
      JSON.parse(await cluster.kubectlOk('-n', NS, 'get', 'lease', `${RELEASE}-operator`, '-o', 'json')) as {
        spec: {
          holderIdentity: string;
          leaseDurationSeconds: number;
          renewTime: string;
          acquireTime: string;
        };
      };
    const lease = await leaseOf();
    const leader = (
      await cluster.kubectlOk(
        '-n',
        NS,
        'get',
        'pod',
        '-l',
        'app.kubernetes.io/component=operator',
        '-o',
        'name',
      )
    )
      .trim()
      .split('\n')
      .map((name) => name.replace('pod/', ''))
      .find((name) => lease.spec.holderIdentity.startsWith(name));
    expect(leader).toBeDefined();

    const killed = Date.now();
    // A crash: SIGKILL, so the leader cannot release its lease; the standby waits it out.
    expect(await cluster.killInPod(NS, leader ?? '', 'operator.js')).toBe(1);
    await cluster.kubectlOk(
      '-n',
      NS,
      'patch',
      'fabricchaincode/token',
      '--type=merge',
      '-p',
      '{"spec":{"server":{"replicas":2}}}',
    );
    // The old holder's last renewal seen: nobody may take the lease before it has run out.
    let lastRenewal = Date.parse(lease.spec.renewTime);
    const next = await until('another operator holds the lease', async () => {
      const now = await leaseOf();
      if (now.spec.holderIdentity === lease.spec.holderIdentity) lastRenewal = Date.parse(now.spec.renewTime);
      return now.spec.holderIdentity !== lease.spec.holderIdentity ? now : undefined;
    }, 120_000); // prettier-ignore
    // The killed container restarts at once in the same pod, with a new identity: after the
    // lease runs out, the standby or that new process takes it, whichever asks first.
    const successor = next.spec.holderIdentity.startsWith(leader ?? '')
      ? 'the restarted leader'
      : 'the standby';
    figure(
      'operator leader killed to a new leader holding the lease',
      `${seconds(killed)} (lease ${String(lease.spec.leaseDurationSeconds)} s; taken by ${successor})`,
    );
    // Safety, read off the Lease itself (no wall clock of ours): taken only once it expired.
    // Both times are written by the operators, on the one node's clock.
    expect(Date.parse(next.spec.acquireTime)).toBeGreaterThanOrEqual(
      lastRenewal + lease.spec.leaseDurationSeconds * 1000,
    );
    await until('the change made meanwhile is reconciled', async () => {
      const ready = await cluster.kubectlOk('-n', NS, 'get', 'deploy/token-ccaas', '-o', 'jsonpath={.status.readyReplicas}');
      return ready.trim() === '2' ? true : undefined;
    }, 180_000); // prettier-ignore
    figure('operator leader killed to the change reconciled', seconds(killed));
  });

  it('upgrades the chaincode by editing the FabricChaincode: a new sequence, the state kept, payments after', async () => {
    const payer = await signUp(`gina-${randomBytes(3).toString('hex')}`);
    const payeeName = `hank-${randomBytes(3).toString('hex')}`;
    const payee = await signUp(payeeName);
    await recharge(payer, '1000');
    const sequenceOf = async () =>
      Number(
        await cluster.kubectlOk(
          '-n',
          NS,
          'get',
          'fabricchaincode/token',
          '-o',
          'jsonpath={.status.sequence}',
        ),
      );
    const before = await sequenceOf();
    const edited = Date.now();
    await cluster.kubectlOk(
      '-n',
      NS,
      'patch',
      'fabricchaincode/token',
      '--type=merge',
      '-p',
      '{"spec":{"version":"1.1"}}',
    );
    await until('the new sequence committed and Ready for this generation', async () => {
      const chaincode = JSON.parse(await cluster.kubectlOk('-n', NS, 'get', 'fabricchaincode/token', '-o', 'json')) as {
        metadata: { generation: number };
        status: { sequence?: number; observedGeneration?: number; conditions?: { type: string; status: string }[] };
      };
      const ready = chaincode.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && chaincode.status.observedGeneration === chaincode.metadata.generation && chaincode.status.sequence === before + 1
        ? true
        : undefined;
    }, 300_000); // prettier-ignore
    figure('chaincode upgrade (version edit to the new sequence Ready)', seconds(edited));

    expect((await call('GET', '/v1/me/balance', { token: payer })).body.balance).toBe('1000');
    await until('a payment on the new sequence', async () => {
      const answer = await call('POST', '/v1/transfers', {
        token: payer,
        key: `up-${randomBytes(6).toString('hex')}`,
        body: { to: payeeName, amount: '250', paymentPassword: '839271' },
      });
      return answer.status === 201 ? answer : undefined;
    }, 120_000); // prettier-ignore
    expect((await call('GET', '/v1/me/balance', { token: payee })).body.balance).toBe('250');
  });

  it('applies a helm upgrade with a changed value, and helm uninstall leaves only what the chart keeps', async () => {
    const upgrade = await cluster.helm(
      'upgrade', RELEASE, chart, '-n', NS, '--reuse-values', '--set', 'api.replicas=2',
    ); // prettier-ignore
    expect(upgrade.code, upgrade.output).toBe(0);
    await cluster.kubectlOk('-n', NS, 'rollout', 'status', `deploy/${RELEASE}-api`, '--timeout=300s');
    expect(
      await cluster.kubectlOk(
        '-n',
        NS,
        'get',
        `deploy/${RELEASE}-api`,
        '-o',
        'jsonpath={.status.readyReplicas}',
      ),
    ).toBe('2');

    api.stop();
    const uninstall = await cluster.helm('uninstall', RELEASE, '-n', NS, '--wait', '--timeout', '5m');
    expect(uninstall.code, uninstall.output).toBe(0);
    const left = await until('the release is gone', async () => {
      const out = await cluster.kubectlOk('-n', NS, 'get', `pods,deploy,sts,svc,cm,secret,pvc,lease,${FABRIC_KINDS}`, '-o', 'name');
      const names = out.trim().split('\n').filter((name) => name && !name.endsWith('/kube-root-ca.crt'));
      return names.some((name) => name.startsWith('pod/')) ? undefined : names;
    }, 300_000); // prettier-ignore
    console.log(`[cluster] left after helm uninstall: ${left.join(', ')}`);
    // Kept on purpose (docs/kubernetes.md): the API's admin token and vault keyring
    // (helm.sh/resource-policy: keep), and the outer DB's volume (a StatefulSet's claims
    // outlive it).
    expect(left.sort()).toEqual(
      [
        `secret/${RELEASE}-api-admin`,
        `secret/${RELEASE}-api-vault`,
        `persistentvolumeclaim/data-${RELEASE}-mongodb-0`,
      ].sort(),
    );
  });
});
