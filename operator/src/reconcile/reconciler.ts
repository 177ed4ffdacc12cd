import type { FabricResource } from '../api/v1alpha1/types.js';
import { reconcileCa } from './ca.js';
import { reconcileChaincode } from './chaincode.js';
import { reconcileChannel } from './channel.js';
import { reconcileNodeSet } from './nodes.js';
import type { Runtime } from './runtime.js';
import type { Plan } from './verdict.js';

/**
 * One reconcile of one resource in either runtime: the kind's reconciler observes, plans
 * and acts; the returned plan says what was done and the status to write.
 */
export function reconcile(
  runtime: Runtime,
  resource: FabricResource,
): Promise<Plan<{ readonly type: string }>> {
  switch (resource.kind) {
    case 'FabricCA':
      return reconcileCa(runtime, resource);
    case 'FabricPeerSet':
    case 'FabricOrdererSet':
      return reconcileNodeSet(runtime, resource);
    case 'FabricChannel':
      return reconcileChannel(runtime, resource);
    case 'FabricChaincode':
      return reconcileChaincode(runtime, resource);
  }
}

/** The order a whole network comes up in: each kind needs the ones before it. */
export const KIND_ORDER = [
  'FabricCA',
  'FabricOrdererSet',
  'FabricPeerSet',
  'FabricChannel',
  'FabricChaincode',
] as const;
