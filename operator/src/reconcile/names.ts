import { selects, type Network } from '../api/v1alpha1/parse.js';
import type {
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
} from '../api/v1alpha1/types.js';
import type { IdentityRequest } from '../fabric/org-pki.js';

/**
 * Names and identity rules both runtimes share: a node is `<set>-<ordinal>` whether it is a
 * process on this machine or a pod, its identity is `nodes/<name>` in the org's material
 * store, and an org's admin enrolls as `<org>-admin`.
 */

export const nodeName = (set: FabricPeerSet | FabricOrdererSet, ordinal: number): string =>
  `${set.metadata.name}-${String(ordinal)}`;

/** The chaincode package label: one per version, so an upgrade installs a new package. */
export const chaincodeLabel = (chaincode: FabricChaincode): string =>
  `${chaincode.metadata.name}_${chaincode.spec.version}`;

/** The material store key and CA enrollment of every identity a FabricCA's org needs. */
export function orgIdentities(ca: FabricCA): { key: string; request: IdentityRequest }[] {
  return [
    {
      key: 'users/admin',
      request: { id: `${ca.spec.org.toLowerCase()}-admin`, type: 'admin', tls: 'client' },
    },
    ...ca.spec.identities.map((identity) => ({
      key: `users/${identity.name}`,
      request: {
        id: identity.name,
        type: identity.type,
        ...(identity.walletRole ? { attrs: { 'wallet.role': identity.walletRole } } : {}),
        ...(identity.registrar ? { registrar: true } : {}),
      },
    })),
  ];
}

/** The enrollment of a node: its signing identity and a TLS server certificate for `hosts`. */
export function nodeIdentity(
  kind: 'peer' | 'orderer',
  name: string,
  hosts: { dns: readonly string[]; ips: readonly string[] },
): { key: string; request: IdentityRequest } {
  return {
    key: `nodes/${name}`,
    request: { id: name, type: kind, tls: { dns: [...hosts.dns], ips: [...hosts.ips] } },
  };
}

/** MSPs whose issuer certificates the chaincode trusts: the orgs whose CA names an issuer. */
export function issuerMsps(cas: readonly FabricCA[]): string[] {
  return cas
    .filter((ca) => ca.spec.identities.some((identity) => identity.walletRole === 'issuer'))
    .map((ca) => ca.spec.mspId);
}

export const findByName = <T extends { metadata: { name: string } }>(
  list: readonly T[],
  name: string,
): T | undefined => list.find((item) => item.metadata.name === name);

/** The peer sets a channel selects, each with its FabricCA (a set whose CA is missing is left out). */
export function channelMembers(
  network: Network,
  channel: FabricChannel,
): { set: FabricPeerSet; ca: FabricCA }[] {
  return network.peerSets
    .filter((set) => selects(channel.spec.peerSelector, set.metadata.labels))
    .flatMap((set) => {
      const ca = findByName(network.cas, set.spec.ca);
      return ca ? [{ set, ca }] : [];
    });
}

/** Every node name of a set at its desired size. */
export const nodeNames = (set: FabricPeerSet | FabricOrdererSet): string[] =>
  Array.from({ length: set.spec.replicas }, (_, ordinal) => nodeName(set, ordinal));

/**
 * Which resources to look at again when one changes: a CA unblocks its sets (and chaincodes,
 * which read the issuers), a set its channels, a channel its chaincodes.
 */
export function dependents(network: Network, kind: string, name: string): { kind: string; name: string }[] {
  const ref = (resource: { kind: string; metadata: { name: string } }) => ({
    kind: resource.kind,
    name: resource.metadata.name,
  });
  if (kind === 'FabricCA')
    return [
      ...[...network.peerSets, ...network.ordererSets].filter((set) => set.spec.ca === name).map(ref),
      ...network.chaincodes.map(ref),
    ];
  if (kind === 'FabricPeerSet' || kind === 'FabricOrdererSet') return network.channels.map(ref);
  if (kind === 'FabricChannel')
    return network.chaincodes.filter((chaincode) => chaincode.spec.channel === name).map(ref);
  return [];
}
