import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { KIND_NAMES, KINDS, type FabricKind } from './schema.js';
import type {
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
  FabricResource,
  LabelSelector,
} from './types.js';

/** Every problem found in a set of resources, each prefixed by where it is. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid network resources:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The resources of one network, by kind. */
export interface Network {
  readonly cas: readonly FabricCA[];
  readonly ordererSets: readonly FabricOrdererSet[];
  readonly peerSets: readonly FabricPeerSet[];
  readonly channels: readonly FabricChannel[];
  readonly chaincodes: readonly FabricChaincode[];
}

type Json = Record<string, unknown>;

/** Words for the problems a schema leaves to the caller: missing, wrong type, unknown keys. */
const fallback = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code === 'invalid_type')
    return issue.input === undefined
      ? 'is required'
      : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  return undefined;
};

/** One line per problem: "<path> <what is wrong>", unknown keys one line each. */
export function describeIssues(error: z.ZodError): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = issue.path.reduce<string>(
      (text, part) =>
        typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part),
      '',
    );
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${path ? `${path}.` : ''}${key} is not a known field`);
    } else {
      lines.push(`${path || 'resource'} ${issue.message}`);
    }
  }
  return lines;
}

/** Validates one resource against its kind's schema; returns it with defaults, or the problems. */
export function parseResource(
  value: unknown,
): { resource: FabricResource; problems?: never } | { resource?: never; problems: string[] } {
  const kind = (value as Json | null)?.kind;
  if (typeof kind !== 'string' || !(kind in KINDS))
    return { problems: [`kind must be one of ${KIND_NAMES.join(', ')}`] };
  const result = KINDS[kind as FabricKind].schema.safeParse(value, { error: fallback });
  return result.success ? { resource: result.data } : { problems: describeIssues(result.error) };
}

/** True when every label of the selector is on `labels`. */
export function selects(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector.matchLabels).every(([key, value]) => labels?.[key] === value);
}

/** Cross-resource checks: references resolve, names are unique, MSP ids are unique. */
function checkReferences(network: Network, problems: string[]): void {
  const names = (items: readonly FabricResource[]) => new Set(items.map((item) => item.metadata.name));
  for (const [kind, items] of Object.entries(network) as [string, FabricResource[]][]) {
    if (names(items).size !== items.length) problems.push(`${kind}: two resources share a name`);
  }
  const cas = names(network.cas);
  if (new Set(network.cas.map((ca) => ca.spec.mspId)).size !== network.cas.length)
    problems.push('FabricCA: two CAs share an mspId');
  for (const set of [...network.ordererSets, ...network.peerSets]) {
    if (!cas.has(set.spec.ca))
      problems.push(`${set.kind} ${set.metadata.name}: spec.ca ${set.spec.ca} names no FabricCA`);
  }
  const ordererSets = names(network.ordererSets);
  for (const channel of network.channels) {
    if (!ordererSets.has(channel.spec.ordererSet)) {
      problems.push(
        `FabricChannel ${channel.metadata.name}: spec.ordererSet ${channel.spec.ordererSet} names no FabricOrdererSet`,
      );
    }
    if (!network.peerSets.some((set) => selects(channel.spec.peerSelector, set.metadata.labels))) {
      problems.push(`FabricChannel ${channel.metadata.name}: spec.peerSelector selects no FabricPeerSet`);
    }
  }
  const channels = names(network.channels);
  for (const chaincode of network.chaincodes) {
    if (!channels.has(chaincode.spec.channel)) {
      problems.push(
        `FabricChaincode ${chaincode.metadata.name}: spec.channel ${chaincode.spec.channel} names no FabricChannel`,
      );
    }
  }
}

/** Parses and validates a multi-document YAML network; throws ValidationError listing every problem. */
export function parseNetwork(yamlText: string): Network {
  const problems: string[] = [];
  const resources: FabricResource[] = [];
  parseAllDocuments(yamlText).forEach((document, index) => {
    if (document.errors.length > 0) {
      problems.push(`document ${index + 1}: ${document.errors.map((error) => error.message).join('; ')}`);
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    const head = value as Json;
    const meta = (head.metadata ?? {}) as Json;
    const where = `document ${index + 1} (${typeof head.kind === 'string' ? head.kind : '?'} ${typeof meta.name === 'string' ? meta.name : '?'})`;
    const parsed = parseResource(value);
    if (parsed.resource) resources.push(parsed.resource);
    else problems.push(...parsed.problems.map((problem) => `${where}: ${problem}`));
  });
  const network: Network = {
    cas: resources.filter((r): r is FabricCA => r.kind === 'FabricCA'),
    ordererSets: resources.filter((r): r is FabricOrdererSet => r.kind === 'FabricOrdererSet'),
    peerSets: resources.filter((r): r is FabricPeerSet => r.kind === 'FabricPeerSet'),
    channels: resources.filter((r): r is FabricChannel => r.kind === 'FabricChannel'),
    chaincodes: resources.filter((r): r is FabricChaincode => r.kind === 'FabricChaincode'),
  };
  if (problems.length === 0) checkReferences(network, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return network;
}
