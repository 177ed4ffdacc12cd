import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateAddressKey } from '@fabric-wallet/ccaas/protocol';
import { parseNetwork } from '@fabric-wallet/operator/api';
import {
  channelInfo,
  channelOrdering,
  PeerAdmin,
  type OsnAdminEndpoint,
} from '@fabric-wallet/operator/fabric';
import { LocalNetwork, type LocalPeer } from '@fabric-wallet/operator/local';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../support/temp.js';
import { TokenClient, type HeldCoin } from '../support/token-client.js';
import { until } from '../support/until.js';

/**
 * The sample network with its ordering service switched to SmartBFT: four orderers (3f+1
 * with f = 1), one wallet peer and one cinema peer, all real processes. A payment commits,
 * and keeps committing with one orderer down.
 */

const sample = await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8');
const ORDERERS = ['orderer-0', 'orderer-1', 'orderer-2', 'orderer-3'];

describe('a payment on a SmartBFT channel (4 orderers, local runtime)', () => {
  let dir: TempDir;
  let network: LocalNetwork;
  let issuer: TokenClient;
  const progress: string[] = [];

  async function adminEndpoint(orderer: string): Promise<OsnAdminEndpoint> {
    const org = network.org('OrdererOrg').adminTls;
    return {
      address: `127.0.0.1:${String(await network.port(`${orderer}-admin`))}`,
      tlsRootCert: org.tlsCaCert,
      clientCert: org.tls?.certificate ?? '',
      clientKey: org.tls?.privateKeyPem ?? '',
    };
  }

  const ordererHeight = async (orderer: string) =>
    (await channelInfo(await adminEndpoint(orderer), 'payments'))?.height ?? 0;

  async function peerHeight(peer: LocalPeer): Promise<number> {
    const admin = new PeerAdmin(peer.endpoint, network.org(peer.org).admin);
    try {
      return await admin.height('payments');
    } finally {
      admin.close();
    }
  }

  /** Mints `amount` and pays all of it to a new address with a signed transfer; returns what the payee holds. */
  async function pay(orderId: string, amount: bigint) {
    const [coin] = (await issuer.mint(orderId, amount)) as [HeldCoin];
    const payee = generateAddressKey();
    const { record } = await issuer.transfer([coin], [{ key: payee, amount }]);
    return { record, payee };
  }

  beforeAll(async () => {
    dir = await tempDir('bft');
    const manifest = sample
      .replace(/(kind: FabricOrdererSet[\s\S]*?replicas: )1(\s+consensus: )etcdraft/, '$14$2BFT')
      .replace(/(name: wallet\n[\s\S]*?replicas: )2/, '$11');
    const desired = parseNetwork(manifest);
    expect(desired.ordererSets[0]?.spec).toMatchObject({ replicas: 4, consensus: 'BFT' });
    network = new LocalNetwork({ dataDir: dir.path, network: desired, log: (line) => progress.push(line) });
    await network.up();
    const walletPeer = network.peers().find((peer) => peer.org === 'WalletOrg') as LocalPeer;
    issuer = new TokenClient(walletPeer.endpoint, await network.user('WalletOrg', 'issuer'));
  });

  afterAll(async () => {
    issuer.close();
    await network.down();
    console.log(`SmartBFT network:\n${progress.join('\n')}`);
    await dir.remove();
  });

  it('creates the channel with BFT consensus and every orderer an active consenter', async () => {
    const genesis = await readFile(join(network.layout.channelDir('payments'), 'genesis.block'));

    const ordering = channelOrdering(genesis);
    const infos = await Promise.all(
      ORDERERS.map(async (orderer) => channelInfo(await adminEndpoint(orderer), 'payments')),
    );

    expect(ordering.consensus).toBe('BFT');
    expect(ordering.values).toContain('Orderers');
    expect(infos.map((info) => [info?.status, info?.consensusRelation])).toEqual(
      ORDERERS.map(() => ['active', 'consenter']),
    );
    expect(network.peers().map((peer) => peer.name)).toEqual(['wallet-0', 'cinema-0']);
  });

  it('commits a mint and a signed payment, seen alike by both orgs’ peers', async () => {
    const start = performance.now();
    const { record, payee } = await pay('order-bft-1', 1200n);
    console.log(`mint + payment, all orderers up: ${String(Math.round(performance.now() - start))} ms`);

    expect(record.outputs).toEqual([{ address: payee.address, amount: '1200' }]);
    const cinemaPeer = network.peers().find((peer) => peer.org === 'CinemaOrg') as LocalPeer;
    const cinemaView = new TokenClient(cinemaPeer.endpoint, network.org('CinemaOrg').admin);
    try {
      expect(await cinemaView.unspent(payee.address)).toEqual(await issuer.unspent(payee.address));
      expect(await issuer.unspent(payee.address)).toEqual([
        { txId: record.txId, index: 0, owner: payee.address, amount: '1200' },
      ]);
    } finally {
      cinemaView.close();
    }
  });

  it('keeps committing payments with one orderer stopped, and the orderer catches up when it returns', async () => {
    await network.supervisor.stop('orderer-3');
    const heightWhileDown = await ordererHeight('orderer-0');

    const start = performance.now();
    const { payee } = await pay('order-bft-2', 75n);
    console.log(`mint + payment with orderer-3 stopped: ${String(Math.round(performance.now() - start))} ms`);

    expect(await issuer.unspent(payee.address)).toHaveLength(1);
    expect(await ordererHeight('orderer-0')).toBeGreaterThan(heightWhileDown);

    await network.up();

    const height = await until('orderer-3 at the others’ height', async () => {
      const heights = await Promise.all(ORDERERS.map(ordererHeight));
      return new Set(heights).size === 1 ? heights[0] : undefined;
    });
    const peerHeights = await Promise.all(network.peers().map(peerHeight));
    expect(peerHeights).toEqual(network.peers().map(() => height));
  });
});
