import type { FabricCA } from '../api/v1alpha1/types.js';
import { pkiOf } from './ca.js';
import { findByName, nodeIdentity, nodeName } from './names.js';
import type { NodeSet, Runtime } from './runtime.js';
import { degraded, progressing, ready, type Plan } from './verdict.js';

/** FabricPeerSet and FabricOrdererSet: one node per ordinal, each with its own identity. */

export interface NodeObserved {
  readonly name: string;
  readonly identity: boolean;
  readonly available: boolean;
  readonly endpoint: string;
}

export interface NodeSetObserved {
  readonly ca?: FabricCA;
  /** Whether the set's CA answers (identities can be issued now). */
  readonly caAnswers: boolean;
  /** Nodes at ordinals 0 .. spec.replicas - 1. */
  readonly nodes: readonly NodeObserved[];
  readonly extraOrdinals: readonly number[];
  readonly selector?: string;
}

export type NodeAction =
  | { readonly type: 'issueIdentity'; readonly ordinal: number; readonly name: string }
  | { readonly type: 'startNode'; readonly ordinal: number; readonly identityIssued: boolean }
  | { readonly type: 'removeNode'; readonly ordinal: number; readonly name: string; readonly purge: boolean };

export function planNodeSet(set: NodeSet, observed: NodeSetObserved): Plan<NodeAction> {
  const { ca } = observed;
  if (!ca)
    return { actions: [], verdict: degraded('CANotFound', `spec.ca ${set.spec.ca} names no FabricCA`) };
  const actions: NodeAction[] = [];
  observed.nodes.forEach((node, ordinal) => {
    const issue = !node.identity && observed.caAnswers;
    if (issue) actions.push({ type: 'issueIdentity', ordinal, name: node.name });
    actions.push({ type: 'startNode', ordinal, identityIssued: node.identity || issue });
  });
  const purge = set.kind === 'FabricPeerSet' && set.spec.scaleDownPolicy === 'Delete';
  // Highest first, like a StatefulSet: the lowest ordinals (anchors, bootstrap) stay longest.
  for (const ordinal of [...observed.extraOrdinals].sort((a, b) => b - a))
    actions.push({ type: 'removeNode', ordinal, name: nodeName(set, ordinal), purge });

  const replicas = set.spec.replicas;
  const readyCount = observed.nodes.filter((node) => node.available).length;
  const fields =
    set.kind === 'FabricPeerSet'
      ? {
          replicas,
          readyReplicas: readyCount,
          ...(observed.selector === undefined ? {} : { selector: observed.selector }),
          peers: observed.nodes.map((node, ordinal) => ({
            name: node.name,
            ordinal,
            ready: node.available,
            identity: node.identity || observed.caAnswers,
            endpoint: node.endpoint,
          })),
        }
      : { replicas, readyReplicas: readyCount };
  if (readyCount === replicas)
    return {
      actions,
      verdict: ready('AllAvailable', `${String(readyCount)}/${String(replicas)} available`, fields),
    };
  const waiting = observed.nodes.find((node) => !node.available);
  const why =
    waiting && !waiting.identity && !observed.caAnswers
      ? `no identity yet: CA ${ca.metadata.name} not ready`
      : 'not available yet';
  return {
    actions,
    verdict: progressing(
      'WaitingForPods',
      `${String(readyCount)}/${String(replicas)} available; waiting for ${waiting?.name ?? '?'} (${why})`,
      fields,
    ),
  };
}

async function observe(runtime: Runtime, set: NodeSet): Promise<NodeSetObserved> {
  const ca = findByName(runtime.network().cas, set.spec.ca);
  const port = set.kind === 'FabricPeerSet' ? 'peer' : 'orderer';
  const state = ca && (await runtime.caState(ca));
  const nodes: NodeObserved[] = [];
  for (let ordinal = 0; ordinal < set.spec.replicas; ordinal++) {
    const name = nodeName(set, ordinal);
    const address = await runtime.address(name, port);
    nodes.push({
      name,
      identity: ca ? await runtime.hasNodeIdentity(ca, name) : false,
      available: runtime.nodeAvailable(name),
      endpoint: `${address.host}:${String(address.port)}`,
    });
  }
  const selector = runtime.selector(set);
  return {
    ...(ca ? { ca } : {}),
    caAnswers: Boolean(state?.cas) && runtime.fabricAdmin,
    nodes,
    extraOrdinals: runtime.extraOrdinals(set),
    ...(selector === undefined ? {} : { selector }),
  };
}

export async function reconcileNodeSet(runtime: Runtime, set: NodeSet): Promise<Plan<NodeAction>> {
  const observed = await observe(runtime, set);
  const plan = planNodeSet(set, observed);
  const { ca } = observed;
  if (!ca) return plan;
  const kind = set.kind === 'FabricPeerSet' ? 'peer' : 'orderer';
  const removed: string[] = [];
  let purged = false;
  const issue = async (name: string) => {
    const state = await runtime.caState(ca);
    if (!state.cas) throw new Error(`CA ${ca.metadata.name} stopped answering`);
    const { key, request } = nodeIdentity(kind, name, runtime.nodeHosts(name));
    await pkiOf(runtime, ca, state.cas).ensure(key, request);
  };
  // Nodes start together (a peer set's members do not wait on each other); removals after.
  await Promise.all(
    observed.nodes.map(async (node, ordinal) => {
      for (const action of plan.actions) {
        if (action.type === 'removeNode' || action.ordinal !== ordinal) continue;
        if (action.type === 'issueIdentity') await issue(node.name);
        else await runtime.startNode(set, ordinal, ca, action.identityIssued);
      }
    }),
  );
  for (const action of plan.actions) {
    if (action.type !== 'removeNode') continue;
    await runtime.removeNode(set, action.ordinal, action.purge);
    removed.push(action.name);
    purged = action.purge;
  }
  if (removed.length > 0)
    await runtime.notify(set, {
      type: 'Normal',
      reason: 'ScaledIn',
      message: `removed ${removed.join(', ')}; storage and identity ${purged ? 'deleted' : 'kept'}`,
    });
  return plan;
}
