import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNetwork, type Network } from '../api/v1alpha1/parse.js';
import type {
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
} from '../api/v1alpha1/types.js';

/** The network `npm start` runs (manifests/local/network.yaml), as the planners' tests read it. */
export const sample: Network = parseNetwork(
  readFileSync(fileURLToPath(new URL('../../../manifests/local/network.yaml', import.meta.url)), 'utf8'),
);

const only = <T>(list: readonly T[], what: string): T => {
  const [first] = list;
  if (!first) throw new Error(`the sample has no ${what}`);
  return first;
};

export const walletSet = (): FabricPeerSet => only(sample.peerSets, 'peer set');
export const ordererSet = (): FabricOrdererSet => only(sample.ordererSets, 'orderer set');
export const channel = (): FabricChannel => only(sample.channels, 'channel');
export const chaincode = (): FabricChaincode => only(sample.chaincodes, 'chaincode');

export function withReplicas<T extends FabricPeerSet | FabricOrdererSet>(set: T, replicas: number): T {
  return { ...set, spec: { ...set.spec, replicas } };
}
