import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FabricCA, FabricChannel, FabricOrdererSet, FabricPeerSet } from '../api/v1alpha1/types.js';
import type { ChannelOrg } from '../fabric/configtx.js';
import { writeMsp } from '../fabric/identity.js';
import type { IdentityMaterial } from '../fabric/org-pki.js';
import { genesisBlock } from '../fabric/steps.js';
import { toolBin } from '../tools/paths.js';
import { nodeName, nodeNames } from './names.js';
import type { Runtime } from './runtime.js';

/**
 * The channel's genesis block, made once with configtxgen from what the resources say (the
 * orderer set's consenters, each member org's roots and anchor peer) and kept by the runtime,
 * so every node joins with the same block.
 */
export async function channelGenesis(
  runtime: Runtime,
  channel: FabricChannel,
  orderers: { set: FabricOrdererSet; ca: FabricCA; admin: IdentityMaterial },
  members: readonly { set: FabricPeerSet; ca: FabricCA; admin: IdentityMaterial }[],
): Promise<Uint8Array> {
  const kept = await runtime.readGenesis(channel);
  if (kept) return kept;
  const dir = await mkdtemp(join(tmpdir(), 'fabric-wallet-channel-'));
  try {
    const orgMsp = async (ca: FabricCA, admin: IdentityMaterial) => {
      const mspDir = join(dir, 'msp', ca.spec.mspId);
      await writeMsp(mspDir, { caCert: admin.caCert, tlsCaCert: admin.tlsCaCert });
      return mspDir;
    };
    await mkdir(join(dir, 'consenters'), { recursive: true });
    const consenters = [];
    for (const name of nodeNames(orderers.set)) {
      const identity = await runtime.store(orderers.ca).read(orderers.ca.spec.org, `nodes/${name}`);
      if (!identity?.tls) throw new Error(`orderer ${name} has no TLS certificate yet`);
      const tlsCertFile = join(dir, 'consenters', `${name}.crt`);
      const identityCertFile = join(dir, 'consenters', `${name}.identity.pem`);
      await writeFile(tlsCertFile, identity.tls.certificate);
      await writeFile(identityCertFile, identity.signer.certificate);
      const address = await runtime.address(name, 'orderer');
      consenters.push({ ...address, tlsCertFile, mspId: orderers.ca.spec.mspId, identityCertFile });
    }
    const peerOrgs = new Map<string, ChannelOrg>();
    for (const { set, ca, admin } of members) {
      const anchor = await runtime.address(nodeName(set, 0), 'peer');
      const existing = peerOrgs.get(ca.spec.mspId);
      peerOrgs.set(ca.spec.mspId, {
        name: ca.spec.org,
        mspId: ca.spec.mspId,
        mspDir: existing?.mspDir ?? (await orgMsp(ca, admin)),
        anchorPeers: [...(existing?.anchorPeers ?? []), anchor],
      });
    }
    const block = await genesisBlock(
      toolBin('fabric', 'configtxgen'),
      join(dir, 'block'),
      channel.metadata.name,
      {
        consensus: orderers.set.spec.consensus,
        ordererOrgs: [
          {
            name: orderers.ca.spec.org,
            mspId: orderers.ca.spec.mspId,
            mspDir: await orgMsp(orderers.ca, orderers.admin),
            ordererEndpoints: consenters.map((c) => `${c.host}:${String(c.port)}`),
          },
        ],
        peerOrgs: [...peerOrgs.values()],
        consenters,
      },
    );
    return await runtime.storeGenesis(channel, block);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
