import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import type { Utxo } from '@fabric-wallet/ccaas';
import { generateAddressKey } from '@fabric-wallet/ccaas/protocol';
import { parseNetwork, type Network } from '@fabric-wallet/operator/api';
import {
  PeerAdmin,
  channelOrdering,
  connectGateway,
  queryCommitted,
  validationParameter,
} from '@fabric-wallet/operator/fabric';
import { LocalNetwork, type LocalPeer } from '@fabric-wallet/operator/local';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../support/temp.js';
import { TokenClient, type HeldCoin } from '../support/token-client.js';
import { until } from '../support/until.js';

/**
 * The whole network of manifests/local/network.yaml as real processes: bring-up from an
 * empty data dir, tokens through the gateway, every peer's replica, declarative scaling, a
 * killed peer, a chaincode upgrade and a full restart. The cases share one network (started
 * once, the expensive part) but none needs another to have run: each mints the coins it
 * uses and reads the chaincode definition committed now instead of assuming an upgrade.
 */

const manifest = await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8');
const decoder = new TextDecoder();

function withReplicas(network: Network, set: string, replicas: number): Network {
  return {
    ...network,
    peerSets: network.peerSets.map((s) =>
      s.metadata.name === set ? { ...s, spec: { ...s.spec, replicas } } : s,
    ),
  };
}

function withChaincodeVersion(network: Network, version: string): Network {
  return { ...network, chaincodes: network.chaincodes.map((c) => ({ ...c, spec: { ...c.spec, version } })) };
}

describe('the local network (real Fabric CA, orderer, peers and CCaaS chaincode)', () => {
  let dir: TempDir;
  let network: LocalNetwork;
  let desired: Network;
  let issuer: TokenClient;
  const timings: Record<string, number> = {};
  /** The network's progress lines, printed at the end (phases and their durations). */
  const progress: string[] = [];
  const log = (line: string) => progress.push(line);

  /** Runs a chaincode query on one specific peer (not through the gateway's choice of peer). */
  async function queryOn(peer: LocalPeer, fn: string, ...args: string[]): Promise<unknown> {
    const admin = new PeerAdmin(peer.endpoint, network.org(peer.org).admin);
    try {
      return JSON.parse(
        decoder.decode(await admin.call({ channel: 'payments', chaincode: 'token', args: [fn, ...args] })),
      ) as unknown;
    } finally {
      admin.close();
    }
  }

  async function heightOf(peer: LocalPeer): Promise<number> {
    const admin = new PeerAdmin(peer.endpoint, network.org(peer.org).admin);
    try {
      return await admin.height('payments');
    } finally {
      admin.close();
    }
  }

  /** A fresh coin of `amount` held by the test (one order id per case). */
  async function minted(orderId: string, amount: bigint): Promise<HeldCoin> {
    const [coin] = await issuer.mint(orderId, amount);
    if (!coin) throw new Error(`order ${orderId} minted nothing`);
    return coin;
  }

  /** The token chaincode's definition as committed on the channel now. */
  async function committedToken() {
    const probe = connectGateway((network.peers()[0] as LocalPeer).endpoint, network.org('WalletOrg').admin);
    try {
      const committed = await queryCommitted(probe.gateway, 'payments', 'token');
      if (!committed) throw new Error('no committed definition of token');
      return committed;
    } finally {
      probe.close();
    }
  }

  /** Waits until every peer reports the same height, and returns it. */
  async function converged(): Promise<number> {
    return until('all peers at one height', async () => {
      const heights = await Promise.all(network.peers().map(heightOf));
      return new Set(heights).size === 1 ? heights[0] : undefined;
    });
  }

  beforeAll(async () => {
    dir = await tempDir('network');
    desired = parseNetwork(manifest);
    network = new LocalNetwork({ dataDir: dir.path, network: desired, log });
    const start = performance.now();
    await network.up();
    timings.coldUpMs = performance.now() - start;
    const walletPeer = network.peers().find((peer) => peer.org === 'WalletOrg');
    if (!walletPeer) throw new Error('no wallet peer');
    issuer = new TokenClient(walletPeer.endpoint, await network.user('WalletOrg', 'issuer'));
  });

  afterAll(async () => {
    issuer.close();
    await network.down();
    console.log(`local network timings: ${JSON.stringify(timings)}\n${progress.join('\n')}`);
    await dir.remove();
  });

  it('brings the manifest up from an empty data dir: 2 wallet peers and 1 cinema peer on the channel', async () => {
    const peers = network.peers();

    expect(peers.map((peer) => peer.name)).toEqual(['wallet-0', 'wallet-1', 'cinema-0']);
    const genesis = await readFile(join(network.layout.channelDir('payments'), 'genesis.block'));
    expect(channelOrdering(genesis).consensus).toBe('etcdraft');
    for (const peer of peers) {
      const admin = new PeerAdmin(peer.endpoint, network.org(peer.org).admin);
      expect(await admin.channels()).toEqual(['payments']);
      expect((await admin.installed()).some((id) => id.startsWith('token_1.0:'))).toBe(true);
      admin.close();
    }
  });

  it('mints by the issuer identity and pays with a signed transfer through the gateway', async () => {
    const coin = await minted('order-e2e-1', 1000n);
    const bob = generateAddressKey();
    const change = generateAddressKey();

    const { record } = await issuer.transfer(
      [coin],
      [
        { key: bob, amount: 300n },
        { key: change, amount: 700n },
      ],
    );

    expect(record.inputs).toEqual([{ txId: coin.txId, index: 0, owner: coin.key.address, amount: '1000' }]);
    expect(await issuer.unspent(bob.address)).toEqual([
      { txId: record.txId, index: 0, owner: bob.address, amount: '300' },
    ]);
  });

  it('refuses a mint from a certificate without the issuer role, and a replayed transfer', async () => {
    const coin = await minted('order-e2e-replay', 40n);
    await issuer.transfer([coin], [{ key: generateAddressKey(), amount: 40n }]);
    const walletPeer = network.peers()[0] as LocalPeer;
    const admin = new TokenClient(walletPeer.endpoint, network.org('WalletOrg').admin);

    try {
      await expect(admin.mint('order-e2e-2', 5n)).rejects.toThrow(/ROLE_REQUIRED/);
    } finally {
      admin.close();
    }
    await expect(issuer.transfer([coin], [{ key: generateAddressKey(), amount: 40n }])).rejects.toThrow(
      /INPUT_SPENT/,
    );
  });

  it('gives the same unspent set and block height on every peer', async () => {
    const coin = await minted('order-e2e-replicas', 25n);

    const height = await converged();
    const views = await Promise.all(
      network.peers().map((peer) => queryOn(peer, 'ListUnspent', coin.key.address, '100', '')),
    );

    expect(height).toBeGreaterThan(2);
    expect(views.every((view) => JSON.stringify(view) === JSON.stringify(views[0]))).toBe(true);
    expect((views[0] as { items: Utxo[] }).items).toEqual([
      { txId: coin.txId, index: 0, owner: coin.key.address, amount: '25' },
    ]);
  });

  it('commits exactly one of two concurrent transfers that spend the same output', async () => {
    const coin = await minted('order-e2e-race', 50n);
    const [a, b] = [generateAddressKey(), generateAddressKey()];

    const results = await Promise.allSettled([
      issuer.transfer([coin], [{ key: a, amount: 50n }]),
      issuer.transfer([coin], [{ key: b, amount: 50n }]),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const held = [...(await issuer.unspent(a.address)), ...(await issuer.unspent(b.address))];
    expect(held).toHaveLength(1);
  });

  it('scales the wallet peers to 3 (the new peer joins, gets the chaincode, catches up) and back to 2 (the highest ordinal stops, keeping its data and identity)', async () => {
    const coin = await minted('order-e2e-scale', 30n);
    const { version } = await committedToken();
    desired = withReplicas(desired, 'wallet', 3);
    network.setResources(desired);
    const start = performance.now();

    await network.up();

    timings.scaleOutMs = performance.now() - start;
    const added = network.peers().find((peer) => peer.name === 'wallet-2') as LocalPeer;
    const admin = new PeerAdmin(added.endpoint, network.org('WalletOrg').admin);
    expect(await admin.channels()).toEqual(['payments']);
    expect((await admin.installed()).some((id) => id.startsWith(`token_${version}:`))).toBe(true);
    admin.close();
    await converged();
    const listing = await queryOn(added, 'ListUnspent', coin.key.address, '100', '');
    expect((listing as { items: Utxo[] }).items).toHaveLength(1);
    expect(listing).toEqual(
      await queryOn(network.peers()[0] as LocalPeer, 'ListUnspent', coin.key.address, '100', ''),
    );

    desired = withReplicas(desired, 'wallet', 2);
    network.setResources(desired);
    await network.up();

    expect(network.supervisor.isRunning('wallet-2')).toBe(false);
    expect(network.peers().map((peer) => peer.name)).not.toContain('wallet-2');
    const node = network.layout.node('wallet-2');
    expect((await stat(join(node, 'msp', 'signcerts', 'cert.pem'))).isFile()).toBe(true);
    expect((await stat(join(node, 'data', 'ledgersData'))).isDirectory()).toBe(true);
  });

  it('restarts a killed peer and it catches up with the transactions it missed', async () => {
    const victim = network.peers().find((peer) => peer.name === 'wallet-1') as LocalPeer;
    const pid = network.supervisor.pid(victim.name);

    network.supervisor.kill(victim.name);
    await issuer.mint('order-e2e-while-down', 7n);

    await until('restart', () =>
      Promise.resolve(
        network.supervisor.isRunning(victim.name) && network.supervisor.pid(victim.name) !== pid
          ? true
          : undefined,
      ),
    );
    const height = await converged();
    expect(await heightOf(victim)).toBe(height);
    expect(network.supervisor.restartCount(victim.name)).toBe(1);
  });

  it('upgrades the chaincode to a new version at the next sequence with no state lost', async () => {
    const coin = await minted('order-e2e-upgrade', 60n);
    const before = await committedToken();
    desired = withChaincodeVersion(desired, '1.1');
    network.setResources(desired);

    await network.up();

    expect(await committedToken()).toMatchObject({ version: '1.1', sequence: before.sequence + 1 });
    expect(await issuer.unspent(coin.key.address)).toHaveLength(1);
    const payee = generateAddressKey();
    await issuer.transfer([coin], [{ key: payee, amount: 60n }]);
    expect(await issuer.unspent(payee.address)).toHaveLength(1);
  });

  it('applies an endorsement policy needing both orgs: a new sequence for the same version, and transfers still commit', async () => {
    const policy = "AND('WalletOrgMSP.peer', 'CinemaOrgMSP.peer')";
    const coin = await minted('order-e2e-policy', 80n);
    const before = await committedToken();
    desired = {
      ...desired,
      chaincodes: desired.chaincodes.map((c) => ({ ...c, spec: { ...c.spec, endorsementPolicy: policy } })),
    };
    network.setResources(desired);

    await network.up();

    const committed = await committedToken();
    expect(committed).toMatchObject({ version: before.version, sequence: before.sequence + 1 });
    expect(Buffer.from(committed.validationParameter).equals(Buffer.from(validationParameter(policy)))).toBe(
      true,
    );
    // Only a transaction endorsed by a peer of each org is valid now; the gateway gathers both.
    const payee = generateAddressKey();
    await issuer.transfer([coin], [{ key: payee, amount: 80n }]);
    expect(await issuer.unspent(payee.address)).toHaveLength(1);
  });

  it('talks to the chaincode servers over mutual TLS only', async () => {
    const { version } = await committedToken();
    const tlsDir = join(network.layout.chaincodeDir('token'), 'tls');
    const [ca = '', cert = '', key = ''] = await Promise.all(
      ['ca.pem', 'client.crt', 'client.key'].map((name) => readFile(join(tlsDir, name), 'utf8')),
    );
    const port = await network.port(`token_${version}-ccaas`);
    // TLS 1.2 so a refused client certificate fails the handshake itself.
    const handshake = (client: { cert?: string; key?: string }) =>
      new Promise<boolean>((resolve) => {
        const socket = connectTls(
          {
            host: '127.0.0.1',
            port,
            ca,
            servername: 'localhost',
            maxVersion: 'TLSv1.2',
            ALPNProtocols: ['h2'],
            ...client,
          },
          () => {
            resolve(socket.authorized);
            socket.destroy();
          },
        );
        socket.on('error', () => {
          resolve(false);
        });
      });

    expect(await handshake({ cert, key })).toBe(true);
    expect(await handshake({})).toBe(false);
    expect((await stat(join(tlsDir, 'server.key'))).mode & 0o077).toBe(0);
  });

  it('keeps its ledger and identities across a full stop and start, creating nothing twice', async () => {
    const coin = await minted('order-e2e-restart', 9n);
    const heightBefore = await converged();
    const adminCertBefore = await readFile(
      join(network.layout.user('WalletOrg', 'admin'), 'msp', 'signcerts', 'cert.pem'),
      'utf8',
    );
    issuer.close();
    await network.down();
    network = new LocalNetwork({ dataDir: dir.path, network: desired, log });
    const start = performance.now();

    await network.up();

    timings.warmUpMs = performance.now() - start;
    issuer = new TokenClient(
      (network.peers()[0] as LocalPeer).endpoint,
      await network.user('WalletOrg', 'issuer'),
    );
    expect(await converged()).toBe(heightBefore);
    expect((await issuer.chaincode.getTx(coin.txId)).txId).toBe(coin.txId);
    expect(
      await readFile(join(network.layout.user('WalletOrg', 'admin'), 'msp', 'signcerts', 'cert.pem'), 'utf8'),
    ).toBe(adminCertBefore);
  });
});
