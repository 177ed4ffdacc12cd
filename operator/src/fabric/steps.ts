import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorText } from '@fabric-wallet/fabric-client';
import type { FabricChaincode } from '../api/v1alpha1/types.js';
import { configtxYaml, type ChannelProfile } from './configtx.js';
import { connectGateway } from './gateway.js';
import type { SigningIdentity } from './identity.js';
import { approve, commit, commitReadiness, queryCommitted } from './lifecycle.js';
import { channelInfo, joinChannel, type OsnAdminEndpoint } from './osnadmin.js';
import { PeerAdmin, type PeerEndpoint } from './peer-admin.js';

/**
 * The Fabric-level steps both runtimes run, given only how to reach each node and which
 * admin identity acts for each org. Every step first checks what is already done (joined,
 * installed, approved, committed), so running one again changes nothing.
 */

const run = promisify(execFile);

/** A peer and the org admin that administers it. */
export interface AdminPeer {
  readonly name: string;
  readonly mspId: string;
  readonly endpoint: PeerEndpoint;
  readonly admin: SigningIdentity;
}

export interface AdminOrderer {
  readonly name: string;
  readonly endpoint: OsnAdminEndpoint;
}

type Log = (line: string) => void;

/**
 * Retries a step that can fail while the network settles (gossip has not found the other
 * org's peers yet, a peer is still opening its ledger), up to attemptsMax with backoff.
 */
export async function retry<T>(
  work: () => Promise<T>,
  what: string,
  attemptsMax = 20,
  delayMs = 500,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    try {
      return await work();
    } catch (error) {
      lastError = error;
      if (attempt < attemptsMax)
        await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs * attempt, 5000)));
    }
  }
  throw new Error(`${what} failed after ${String(attemptsMax)} attempts: ${errorText(lastError)}`, {
    cause: lastError,
  });
}

/**
 * The channel's genesis block from configtxgen, written to `<dir>/genesis.block` once and
 * read back afterwards: every node must join with the same block.
 */
export async function genesisBlock(
  configtxgen: string,
  dir: string,
  channel: string,
  profile: ChannelProfile,
): Promise<Uint8Array> {
  const blockFile = join(dir, 'genesis.block');
  try {
    return await readFile(blockFile);
  } catch {
    // not created yet
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'configtx.yaml'), configtxYaml(profile));
  await run(
    configtxgen,
    ['-profile', 'Channel', '-channelID', channel, '-outputBlock', blockFile, '-configPath', dir],
    {
      env: { ...process.env, FABRIC_CFG_PATH: dir },
    },
  );
  return readFile(blockFile);
}

/** Joins each orderer (channel participation API) that is not on the channel yet. */
export async function joinOrderers(
  channel: string,
  block: Uint8Array,
  orderers: readonly AdminOrderer[],
  log: Log,
): Promise<string[]> {
  const joined: string[] = [];
  for (const orderer of orderers) {
    if (!(await channelInfo(orderer.endpoint, channel))) {
      await joinChannel(orderer.endpoint, channel, block);
      log(`${orderer.name} joined ${channel}`);
      joined.push(orderer.name);
    }
  }
  return joined;
}

/** Joins each peer (cscc JoinChain) that is not on the channel yet. */
export async function joinPeers(
  channel: string,
  block: Uint8Array,
  peers: readonly AdminPeer[],
  log: Log,
): Promise<string[]> {
  const joined: string[] = [];
  await Promise.all(
    peers.map(async (peer) => {
      const admin = new PeerAdmin(peer.endpoint, peer.admin);
      try {
        if (!(await admin.channels()).includes(channel)) {
          await retry(() => admin.joinChannel(block), `${peer.name} join ${channel}`);
          log(`${peer.name} joined ${channel}`);
          joined.push(peer.name);
        }
      } finally {
        admin.close();
      }
    }),
  );
  return joined;
}

/** Each peer's block height on the channel (qscc GetChainInfo), by peer name. */
export async function channelHeights(
  channel: string,
  peers: readonly AdminPeer[],
): Promise<Record<string, number>> {
  const heights = await Promise.all(
    peers.map(async (peer) => {
      const admin = new PeerAdmin(peer.endpoint, peer.admin);
      try {
        return [peer.name, await admin.height(channel)] as const;
      } finally {
        admin.close();
      }
    }),
  );
  return Object.fromEntries(heights);
}

/** Installs the package on each peer that does not have it yet. */
export async function installPackage(
  peers: readonly AdminPeer[],
  bytes: Uint8Array,
  packageId: string,
  log: Log,
): Promise<string[]> {
  const installed: string[] = [];
  await Promise.all(
    peers.map(async (peer) => {
      const admin = new PeerAdmin(peer.endpoint, peer.admin);
      try {
        if (!(await admin.installed()).includes(packageId)) {
          await admin.install(bytes);
          log(`installed ${packageId.split(':')[0] ?? packageId} on ${peer.name}`);
          installed.push(peer.name);
        }
      } finally {
        admin.close();
      }
    }),
  );
  return installed;
}

export interface DefinitionRequest {
  readonly channel: string;
  readonly name: string;
  readonly version: string;
  /** The sequence to commit (reconcile/chaincode.ts wantedSequence decides it). */
  readonly sequence: number;
  /** Signature policy text; omitted: the channel's MAJORITY Endorsement. */
  readonly endorsementPolicy?: string;
  /** One peer per member org (the org's admin approves through it), with the org's package id. */
  readonly orgs: readonly { readonly peer: AdminPeer; readonly packageId: string }[];
}

/** The definition a FabricChaincode asks for on its channel (sequence and orgs are the reconciler's to add). */
export function definitionOf(chaincode: FabricChaincode): Omit<DefinitionRequest, 'orgs' | 'sequence'> {
  const { endorsementPolicy, version } = chaincode.spec;
  return {
    channel: chaincode.spec.channel,
    name: chaincode.metadata.name,
    version,
    ...(endorsementPolicy === undefined ? {} : { endorsementPolicy }),
  };
}

/**
 * Approves the definition at `sequence` for every org that has not yet, then commits it,
 * unless that sequence is committed already (another reconcile, or another replica, did it).
 */
export async function commitDefinition(
  request: DefinitionRequest,
  log: Log,
): Promise<{ sequence: number; approvedBy: string[]; committedNow: boolean }> {
  const [first] = request.orgs;
  if (!first) throw new Error(`chaincode ${request.name}: no org has a peer on ${request.channel}`);
  const { channel, name, version, sequence } = request;
  const probe = connectGateway(first.peer.endpoint, first.peer.admin);
  let committed: Awaited<ReturnType<typeof queryCommitted>>;
  try {
    committed = await retry(
      () => queryCommitted(probe.gateway, channel, name),
      `query ${name} on ${channel}`,
    );
  } finally {
    probe.close();
  }
  const policy =
    request.endorsementPolicy === undefined ? {} : { endorsementPolicy: request.endorsementPolicy };
  const mspIds = request.orgs.map((org) => org.peer.mspId);
  if (committed?.sequence === sequence) return { sequence, approvedBy: mspIds, committedNow: false };
  const approvedBy: string[] = [];
  for (const org of request.orgs) {
    const connection = connectGateway(org.peer.endpoint, org.peer.admin);
    try {
      const definition = { name, version, sequence, packageId: org.packageId, ...policy };
      const approvals = await retry(
        () => commitReadiness(connection.gateway, channel, definition),
        `readiness of ${name}`,
      );
      if (approvals[org.peer.mspId] !== true) {
        await retry(
          () => approve(connection.gateway, channel, org.peer.mspId, definition),
          `approve ${name} for ${org.peer.mspId}`,
        );
        log(`${org.peer.mspId} approved ${name} ${version} sequence ${String(sequence)}`);
      }
      approvedBy.push(org.peer.mspId);
    } finally {
      connection.close();
    }
  }
  const committer = connectGateway(first.peer.endpoint, first.peer.admin);
  try {
    await retry(
      () => commit(committer.gateway, channel, mspIds, { name, version, sequence, ...policy }),
      `commit ${name}`,
    );
    log(`committed ${name} ${version} sequence ${String(sequence)}`);
  } finally {
    committer.close();
  }
  return { sequence, approvedBy, committedNow: true };
}
