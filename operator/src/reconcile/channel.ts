import type { FabricCA, FabricChannel, FabricOrdererSet, FabricPeerSet } from '../api/v1alpha1/types.js';
import { channelInfo } from '../fabric/osnadmin.js';
import { PeerAdmin } from '../fabric/peer-admin.js';
import { joinOrderers, joinPeers } from '../fabric/steps.js';
import { adminOrderer, adminPeer, orgAdmin, type OrgAdmin } from './admins.js';
import { channelGenesis } from './genesis.js';
import { channelMembers, findByName, nodeName, nodeNames } from './names.js';
import type { Runtime } from './runtime.js';
import { degraded, progressing, ready, type Plan } from './verdict.js';

/** FabricChannel: a genesis block, every orderer and every selected peer on the channel. */

export interface ChannelPeerObserved {
  readonly name: string;
  readonly mspId: string;
  /** Available, with an identity, and its org admin enrolled: the operator can act on it. */
  readonly reachable: boolean;
  /** On the channel (undefined: could not ask). */
  readonly joined?: boolean;
  readonly height?: number;
}

export interface ChannelObserved {
  readonly fabricAdmin: boolean;
  readonly ordererSet?: FabricOrdererSet;
  readonly ordererCa?: FabricCA;
  /** Every orderer of the set is available. */
  readonly orderersAvailable: boolean;
  /** The orderer org's admin has a TLS client certificate (channel participation API). */
  readonly ordererAdmin: boolean;
  readonly orderersJoined: Readonly<Record<string, boolean>>;
  readonly organizations: readonly string[];
  readonly peers: readonly ChannelPeerObserved[];
  readonly genesisKept: boolean;
}

export type ChannelAction =
  | { readonly type: 'makeGenesis' }
  | { readonly type: 'joinOrderer'; readonly name: string }
  | { readonly type: 'joinPeer'; readonly name: string };

export function planChannel(channel: FabricChannel, observed: ChannelObserved): Plan<ChannelAction> {
  const none = { actions: [] as ChannelAction[] };
  if (!observed.ordererSet)
    return {
      ...none,
      verdict: degraded(
        'OrdererSetNotFound',
        `spec.ordererSet ${channel.spec.ordererSet} names no FabricOrdererSet`,
      ),
    };
  if (observed.organizations.length === 0)
    return {
      ...none,
      verdict: degraded('NoPeers', 'spec.peerSelector selects no FabricPeerSet with a FabricCA'),
    };
  const fields = { organizations: observed.organizations };
  if (!observed.ordererCa || !observed.orderersAvailable)
    return {
      ...none,
      verdict: progressing(
        'WaitingForOrderers',
        `waiting for FabricOrdererSet ${observed.ordererSet.metadata.name} to be ready`,
        fields,
      ),
    };
  const usable = observed.peers.filter((peer) => peer.reachable && peer.joined !== undefined);
  const missingOrgs = observed.organizations.filter((mspId) => !usable.some((peer) => peer.mspId === mspId));
  if (missingOrgs.length > 0 || !observed.fabricAdmin)
    return {
      ...none,
      verdict: progressing(
        'WaitingForPeers',
        `waiting for a ready peer of ${missingOrgs.join(', ') || 'each org'}`,
        fields,
      ),
    };
  if (!observed.ordererAdmin)
    return {
      ...none,
      verdict: progressing(
        'WaitingForIdentities',
        `waiting for the ${observed.ordererCa.spec.org} admin to be enrolled`,
        fields,
      ),
    };
  const orderers = nodeNames(observed.ordererSet);
  const actions: ChannelAction[] = [
    ...(observed.genesisKept ? [] : [{ type: 'makeGenesis' } as const]),
    ...orderers
      .filter((name) => observed.orderersJoined[name] !== true)
      .map((name) => ({ type: 'joinOrderer', name }) as const),
    ...usable.filter((peer) => !peer.joined).map((peer) => ({ type: 'joinPeer', name: peer.name }) as const),
  ];
  // A peer joining now starts at height 1: the lowest peer (one still catching up) shows here.
  const heights = usable.map((peer) => (peer.joined ? (peer.height ?? 1) : 1));
  const status = {
    ...fields,
    orderers,
    peers: usable.map((peer) => peer.name).sort(),
    height: Math.min(...heights),
  };
  if (usable.length < observed.peers.length)
    return {
      actions,
      verdict: progressing(
        'WaitingForPeers',
        `${String(usable.length)}/${String(observed.peers.length)} peers joined`,
        status,
      ),
    };
  // Looked at again every minute, so the height stays current.
  return {
    actions,
    verdict: ready(
      'Joined',
      `${String(orderers.length)} orderers and ${String(usable.length)} peers on the channel`,
      status,
      60_000,
    ),
  };
}

interface Context {
  readonly members: { set: FabricPeerSet; ca: FabricCA; admin?: OrgAdmin }[];
  readonly ordererAdmin?: OrgAdmin;
}

async function peerState(
  runtime: Runtime,
  channel: string,
  name: string,
  admin: OrgAdmin,
): Promise<{ joined?: boolean; height?: number }> {
  const peer = await adminPeer(runtime, name, admin);
  const client = new PeerAdmin(peer.endpoint, peer.admin);
  try {
    const joined = (await client.channels()).includes(channel);
    return joined ? { joined, height: await client.height(channel) } : { joined };
  } catch (error) {
    runtime.log(
      `channel ${channel}: cannot ask ${name} (${error instanceof Error ? error.message : String(error)})`,
    );
    return {};
  } finally {
    client.close();
  }
}

async function observe(
  runtime: Runtime,
  channel: FabricChannel,
): Promise<{ observed: ChannelObserved; context: Context }> {
  const network = runtime.network();
  const ordererSet = findByName(network.ordererSets, channel.spec.ordererSet);
  const ordererCa = ordererSet && findByName(network.cas, ordererSet.spec.ca);
  const members = await Promise.all(
    channelMembers(network, channel).map(async (member) => {
      const admin = await orgAdmin(runtime, member.ca);
      return { ...member, ...(admin ? { admin } : {}) };
    }),
  );
  const ordererAdminMaterial = ordererCa && (await orgAdmin(runtime, ordererCa));
  const ordererAdmin = ordererAdminMaterial?.material.tls ? ordererAdminMaterial : undefined;
  const orderersAvailable =
    ordererSet !== undefined && nodeNames(ordererSet).every((name) => runtime.nodeAvailable(name));
  const orderersJoined: Record<string, boolean> = {};
  if (ordererSet && ordererAdmin && orderersAvailable && runtime.fabricAdmin)
    for (const name of nodeNames(ordererSet)) {
      const orderer = await adminOrderer(runtime, name, ordererAdmin);
      orderersJoined[name] = (await channelInfo(orderer.endpoint, channel.metadata.name)) !== undefined;
    }
  const peers = await Promise.all(
    members.flatMap(({ set, ca, admin }) =>
      Array.from({ length: set.spec.replicas }, async (_, ordinal): Promise<ChannelPeerObserved> => {
        const name = nodeName(set, ordinal);
        const reachable =
          admin !== undefined && runtime.nodeAvailable(name) && (await runtime.hasNodeIdentity(ca, name));
        const state =
          reachable && runtime.fabricAdmin
            ? await peerState(runtime, channel.metadata.name, name, admin)
            : {};
        return { name, mspId: ca.spec.mspId, reachable, ...state };
      }),
    ),
  );
  return {
    observed: {
      fabricAdmin: runtime.fabricAdmin,
      ...(ordererSet ? { ordererSet } : {}),
      ...(ordererCa ? { ordererCa } : {}),
      orderersAvailable,
      ordererAdmin: ordererAdmin !== undefined,
      orderersJoined,
      organizations: [...new Set(members.map((member) => member.ca.spec.mspId))],
      peers,
      genesisKept: (await runtime.readGenesis(channel)) !== undefined,
    },
    context: { members, ...(ordererAdmin ? { ordererAdmin } : {}) },
  };
}

export async function reconcileChannel(
  runtime: Runtime,
  channel: FabricChannel,
): Promise<Plan<ChannelAction>> {
  const { observed, context } = await observe(runtime, channel);
  const plan = planChannel(channel, observed);
  const { ordererSet, ordererCa } = observed;
  const { ordererAdmin } = context;
  if (plan.actions.length === 0 || !ordererSet || !ordererCa || !ordererAdmin) return plan;
  const members = context.members.flatMap((member) =>
    member.admin ? [{ ...member, admin: member.admin.material }] : [],
  );
  const block = await channelGenesis(
    runtime,
    channel,
    { set: ordererSet, ca: ordererCa, admin: ordererAdmin.material },
    members,
  );
  const log = (line: string) => {
    runtime.log(`channel ${channel.metadata.name}: ${line}`);
  };
  const names = (type: ChannelAction['type']) =>
    plan.actions.flatMap((action) => (action.type === type && 'name' in action ? [action.name] : []));
  await joinOrderers(
    channel.metadata.name,
    block,
    await Promise.all(names('joinOrderer').map((name) => adminOrderer(runtime, name, ordererAdmin))),
    log,
  );
  const adminOfPeer = new Map(
    context.members.flatMap(({ set, admin }) =>
      admin
        ? Array.from({ length: set.spec.replicas }, (_, ordinal) => [nodeName(set, ordinal), admin] as const)
        : [],
    ),
  );
  const peers = await Promise.all(
    names('joinPeer').flatMap((name) => {
      const admin = adminOfPeer.get(name);
      return admin ? [adminPeer(runtime, name, admin)] : [];
    }),
  );
  const joined = await joinPeers(channel.metadata.name, block, peers, log);
  if (joined.length > 0)
    await runtime.notify(channel, {
      type: 'Normal',
      reason: 'Joined',
      message: `${joined.sort().join(', ')} joined ${channel.metadata.name}`,
    });
  return plan;
}
