import type { FabricChaincode } from '../api/v1alpha1/types.js';
import { createChaincodeTls } from '../fabric/ca-keys.js';
import { connectGateway } from '../fabric/gateway.js';
import { queryCommitted, validationParameter } from '../fabric/lifecycle.js';
import { ccaasPackage } from '../fabric/package.js';
import { PeerAdmin } from '../fabric/peer-admin.js';
import { commitDefinition, definitionOf, installPackage, retry, type AdminPeer } from '../fabric/steps.js';
import { adminPeer, orgAdmin } from './admins.js';
import { chaincodeLabel, channelMembers, findByName, issuerMsps, nodeName } from './names.js';
import type { Runtime } from './runtime.js';
import { degraded, progressing, ready, type Plan } from './verdict.js';

/**
 * FabricChaincode: the CCaaS server of this version runs, its package is installed on every
 * peer of the channel, and the definition is approved by each org and committed.
 */

export interface ChaincodePeerObserved {
  readonly name: string;
  readonly mspId: string;
  /** Installed package ids (undefined: not reachable or not on the channel). */
  readonly installed?: readonly string[];
}

export interface ChaincodeObserved {
  readonly fabricAdmin: boolean;
  readonly channelFound: boolean;
  readonly packageId: string;
  readonly address: string;
  readonly serverAvailable: boolean;
  /** Every peer the channel selects at its desired size. */
  readonly peers: readonly ChaincodePeerObserved[];
  /** What the channel has committed for this name, if anything. */
  readonly committed?: {
    readonly version: string;
    readonly sequence: number;
    readonly sameEndorsement: boolean;
  };
}

export type ChaincodeAction =
  | { readonly type: 'install'; readonly peer: string }
  | { readonly type: 'commit'; readonly sequence: number }
  | { readonly type: 'retireOtherVersions' };

/** The sequence the spec asks for: explicit, or the committed one if the definition is unchanged, else the next. */
export function wantedSequence(
  chaincode: FabricChaincode,
  committed: ChaincodeObserved['committed'],
): number {
  if (chaincode.spec.sequence !== undefined) return chaincode.spec.sequence;
  if (!committed) return 1;
  const unchanged = committed.version === chaincode.spec.version && committed.sameEndorsement;
  return unchanged ? committed.sequence : committed.sequence + 1;
}

export function planChaincode(
  chaincode: FabricChaincode,
  observed: ChaincodeObserved,
): Plan<ChaincodeAction> {
  const none: ChaincodeAction[] = [];
  if (!observed.channelFound)
    return {
      actions: none,
      verdict: degraded('ChannelNotFound', `spec.channel ${chaincode.spec.channel} names no FabricChannel`),
    };
  const fields = { packageId: observed.packageId, address: observed.address };
  if (!observed.serverAvailable)
    return {
      actions: none,
      verdict: progressing(
        'WaitingForPods',
        `chaincode server not available yet (package ${observed.packageId})`,
        fields,
      ),
    };
  const onChannel = observed.peers.filter((peer) => peer.installed !== undefined);
  if (onChannel.length === 0 || !observed.fabricAdmin)
    return {
      actions: none,
      verdict: progressing(
        'WaitingForChannel',
        `waiting for peers on FabricChannel ${chaincode.spec.channel}`,
        fields,
      ),
    };
  const sequence = wantedSequence(chaincode, observed.committed);
  const actions: ChaincodeAction[] = [
    ...onChannel
      .filter((peer) => !peer.installed?.includes(observed.packageId))
      .map((peer) => ({ type: 'install', peer: peer.name }) as const),
    ...(observed.committed?.sequence === sequence ? [] : [{ type: 'commit', sequence } as const]),
    { type: 'retireOtherVersions' },
  ];
  const status = {
    ...fields,
    sequence,
    approvedBy: [...new Set(onChannel.map((peer) => peer.mspId))],
    committed: true,
    installedOn: onChannel.map((peer) => peer.name).sort(),
  };
  if (onChannel.length < observed.peers.length)
    return {
      actions,
      verdict: progressing(
        'Installing',
        `committed; installed on ${String(onChannel.length)}/${String(observed.peers.length)} peers`,
        status,
      ),
    };
  return {
    actions,
    verdict: ready('Committed', `sequence ${String(sequence)} committed; installed on every peer`, status),
  };
}

async function installedOn(
  runtime: Runtime,
  peer: AdminPeer,
  channel: string,
): Promise<string[] | undefined> {
  const client = new PeerAdmin(peer.endpoint, peer.admin);
  try {
    return (await client.channels()).includes(channel) ? await client.installed() : undefined;
  } catch (error) {
    runtime.log(
      `chaincode: cannot ask ${peer.name} (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  } finally {
    client.close();
  }
}

async function committedOn(
  peer: AdminPeer,
  chaincode: FabricChaincode,
): Promise<ChaincodeObserved['committed']> {
  const connection = connectGateway(peer.endpoint, peer.admin);
  try {
    const committed = await retry(
      () => queryCommitted(connection.gateway, chaincode.spec.channel, chaincode.metadata.name),
      `query ${chaincode.metadata.name} on ${chaincode.spec.channel}`,
      5,
    );
    if (!committed) return undefined;
    const wanted = validationParameter(chaincode.spec.endorsementPolicy);
    return {
      version: committed.version,
      sequence: committed.sequence,
      sameEndorsement: Buffer.from(committed.validationParameter).equals(Buffer.from(wanted)),
    };
  } finally {
    connection.close();
  }
}

/** The package of this version: made from the server's address and TLS material, so its id is known before anything runs. */
async function packageOf(
  runtime: Runtime,
  chaincode: FabricChaincode,
): Promise<{ label: string; address: string; bytes: Uint8Array; packageId: string }> {
  const label = chaincodeLabel(chaincode);
  const address = await runtime.chaincodeAddress(chaincode, label);
  const server = `${chaincode.metadata.name}-ccaas`;
  const tls = await runtime.chaincodeTls(chaincode, () => {
    const material = createChaincodeTls(server, runtime.nodeHosts(server));
    return {
      'ca.pem': material.root.certificate,
      'server.crt': material.server.certificate,
      'server.key': material.server.privateKeyPem,
      'client.crt': material.client.certificate,
      'client.key': material.client.privateKeyPem,
    };
  });
  return { label, address, ...ccaasPackage(label, { address, tls }) };
}

/** Every peer the channel selects; for those the operator can act on, their admin and installed packages. */
async function observePeers(
  runtime: Runtime,
  chaincode: FabricChaincode,
): Promise<{ admin?: AdminPeer; observed: ChaincodePeerObserved }[]> {
  const network = runtime.network();
  const channel = findByName(network.channels, chaincode.spec.channel);
  const peers: { admin?: AdminPeer; observed: ChaincodePeerObserved }[] = [];
  for (const { set, ca } of channel ? channelMembers(network, channel) : []) {
    const admin = await orgAdmin(runtime, ca);
    for (let ordinal = 0; ordinal < set.spec.replicas; ordinal++) {
      const name = nodeName(set, ordinal);
      const usable = admin && runtime.nodeAvailable(name) && (await runtime.hasNodeIdentity(ca, name));
      const peer = usable && runtime.fabricAdmin ? await adminPeer(runtime, name, admin) : undefined;
      const installed = peer && (await installedOn(runtime, peer, chaincode.spec.channel));
      peers.push({
        ...(peer ? { admin: peer } : {}),
        observed: { name, mspId: ca.spec.mspId, ...(installed ? { installed } : {}) },
      });
    }
  }
  return peers;
}

export async function reconcileChaincode(
  runtime: Runtime,
  chaincode: FabricChaincode,
): Promise<Plan<ChaincodeAction>> {
  const network = runtime.network();
  const { label, address, bytes, packageId } = await packageOf(runtime, chaincode);
  await runtime.startChaincodeServer(chaincode, { label, packageId, issuerMsps: issuerMsps(network.cas) });
  const peers = await observePeers(runtime, chaincode);
  // Peers on the channel that the operator can act on, by name.
  const onChannel = new Map(
    peers.flatMap((peer) =>
      peer.admin && peer.observed.installed !== undefined ? [[peer.observed.name, peer.admin] as const] : [],
    ),
  );
  const [first] = onChannel.values();
  const committed = first && (await committedOn(first, chaincode));
  const plan = planChaincode(chaincode, {
    fabricAdmin: runtime.fabricAdmin,
    channelFound: findByName(network.channels, chaincode.spec.channel) !== undefined,
    packageId,
    address,
    serverAvailable: runtime.chaincodeAvailable(chaincode, label),
    peers: peers.map((peer) => peer.observed),
    ...(committed ? { committed } : {}),
  });

  const log = (line: string) => {
    runtime.log(`chaincode ${chaincode.metadata.name}: ${line}`);
  };
  const toInstall = plan.actions.flatMap((action) => {
    const peer = action.type === 'install' ? onChannel.get(action.peer) : undefined;
    return peer ? [peer] : [];
  });
  await installPackage(toInstall, bytes, packageId, log);
  for (const action of plan.actions) {
    if (action.type === 'commit') {
      // The first peer of each org: its admin approves through it (the first org's commits).
      const firstOfOrg = new Map<string, AdminPeer>();
      for (const peer of onChannel.values())
        if (!firstOfOrg.has(peer.mspId)) firstOfOrg.set(peer.mspId, peer);
      const orgs = [...firstOfOrg.values()].map((peer) => ({ peer, packageId }));
      const result = await commitDefinition(
        { ...definitionOf(chaincode), sequence: action.sequence, orgs },
        log,
      );
      // Ready means every peer has the definition, not only the one that committed it.
      await Promise.all(
        [...onChannel.values()].map((peer) =>
          retry(
            async () => {
              const seen = await committedOn(peer, chaincode);
              if (seen?.sequence !== action.sequence)
                throw new Error(`${peer.name} has sequence ${String(seen?.sequence ?? 0)}`);
            },
            `${chaincode.metadata.name} sequence ${String(action.sequence)} on ${peer.name}`,
          ),
        ),
      );
      if (result.committedNow)
        await runtime.notify(chaincode, {
          type: 'Normal',
          reason: 'Committed',
          message: `${chaincode.metadata.name} ${chaincode.spec.version} committed at sequence ${String(result.sequence)}`,
        });
    }
    if (action.type === 'retireOtherVersions')
      for (const name of await runtime.retireChaincodeServers(chaincode, label))
        log(`stopped ${name} (superseded by ${label})`);
  }
  return plan;
}
