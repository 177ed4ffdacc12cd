import { parseAllDocuments } from 'yaml';
import {
  API_VERSION,
  type FabricCA,
  type FabricChaincode,
  type FabricChannel,
  type FabricOrdererSet,
  type FabricPeerSet,
  type FabricResource,
  type IdentitySpec,
  type LabelSelector,
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

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ORG = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const MSP_ID = /^[A-Za-z][A-Za-z0-9.-]{0,63}$/;
const REPLICAS_MAX = 16;

type Json = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];
  constructor(private readonly where: string) {}

  fail(path: string, problem: string): void {
    this.problems.push(`${this.where}: ${path} ${problem}`);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be an object');
      return {};
    }
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, 'is not a known field');
    return value as Json;
  }

  string(value: unknown, path: string, pattern?: RegExp, hint?: string): string {
    if (typeof value !== 'string' || value === '') {
      this.fail(path, 'is required and must be a non-empty string');
      return '';
    }
    if (pattern && !pattern.test(value)) this.fail(path, `must be ${hint ?? String(pattern)}`);
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer between ${min} and ${max}`);
      return min;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[], fallback: T): T {
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${options.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  labels(value: unknown, path: string): Record<string, string> {
    const labels = this.object(value ?? {}, path, Object.keys((value as Json | undefined) ?? {}));
    for (const [key, item] of Object.entries(labels))
      if (typeof item !== 'string') this.fail(`${path}.${key}`, 'must be a string');
    return labels as Record<string, string>;
  }
}

function parseIdentities(check: Checker, value: unknown): IdentitySpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    check.fail('spec.identities', 'must be a list');
    return [];
  }
  return value.map((item: unknown, i) => {
    const path = `spec.identities[${i}]`;
    const record = check.object(item, path, ['name', 'type', 'walletRole', 'registrar']);
    const identity: IdentitySpec = {
      name: check.string(
        record.name,
        `${path}.name`,
        /^[a-z0-9][-a-z0-9.]{0,63}$/,
        'a lower-case enrollment id',
      ),
      type: check.oneOf(
        record.type,
        `${path}.type`,
        ['admin', 'client', 'peer', 'orderer'] as const,
        'client',
      ),
      ...(record.walletRole === undefined
        ? {}
        : {
            walletRole: check.oneOf(
              record.walletRole,
              `${path}.walletRole`,
              ['customer', 'merchant', 'issuer', 'auditor'] as const,
              'customer',
            ),
          }),
      ...(record.registrar === undefined ? {} : { registrar: record.registrar === true }),
    };
    return identity;
  });
}

function parseSelector(check: Checker, value: unknown): LabelSelector {
  const record = check.object(value, 'spec.peerSelector', ['matchLabels']);
  const matchLabels = check.labels(record.matchLabels, 'spec.peerSelector.matchLabels');
  if (Object.keys(matchLabels).length === 0)
    check.fail('spec.peerSelector.matchLabels', 'must name at least one label');
  return { matchLabels };
}

/** Validates one resource document; problems go to `check`. */
function parseResource(document: unknown, index: number, problems: string[]): FabricResource | undefined {
  const head = (document ?? {}) as Json;
  const kind = typeof head.kind === 'string' ? head.kind : '?';
  const meta = (head.metadata ?? {}) as Json;
  const check = new Checker(
    `document ${index + 1} (${kind} ${typeof meta.name === 'string' ? meta.name : '?'})`,
  );
  const top = check.object(document, 'resource', ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  if (top.apiVersion !== API_VERSION) check.fail('apiVersion', `must be ${API_VERSION}`);
  const metadata = check.object(top.metadata, 'metadata', [
    'name',
    'namespace',
    'labels',
    'annotations',
    'generation',
    'uid',
    'creationTimestamp',
    'resourceVersion',
    'managedFields',
  ]);
  const name = check.string(metadata.name, 'metadata.name', NAME, 'a DNS-1123 label');
  const labels = metadata.labels === undefined ? undefined : check.labels(metadata.labels, 'metadata.labels');
  const meta2 = {
    name,
    ...(labels ? { labels } : {}),
    generation: typeof metadata.generation === 'number' ? metadata.generation : 1,
  };
  let resource: FabricResource | undefined;
  switch (kind) {
    case 'FabricCA': {
      const spec = check.object(top.spec, 'spec', ['org', 'mspId', 'identities']);
      resource = {
        apiVersion: API_VERSION,
        kind,
        metadata: meta2,
        spec: {
          org: check.string(spec.org, 'spec.org', ORG, 'letters and digits, starting with a letter'),
          mspId: check.string(spec.mspId, 'spec.mspId', MSP_ID, 'an MSP id'),
          identities: parseIdentities(check, spec.identities),
        },
      };
      break;
    }
    case 'FabricOrdererSet': {
      const spec = check.object(top.spec, 'spec', ['ca', 'replicas', 'consensus']);
      resource = {
        apiVersion: API_VERSION,
        kind,
        metadata: meta2,
        spec: {
          ca: check.string(spec.ca, 'spec.ca', NAME, 'the name of a FabricCA'),
          replicas: check.integer(spec.replicas ?? 1, 'spec.replicas', 1, 5),
          consensus: check.oneOf(
            spec.consensus ?? 'etcdraft',
            'spec.consensus',
            ['etcdraft', 'BFT'] as const,
            'etcdraft',
          ),
        },
      };
      break;
    }
    case 'FabricPeerSet': {
      const spec = check.object(top.spec, 'spec', ['ca', 'replicas', 'scaleDownPolicy']);
      resource = {
        apiVersion: API_VERSION,
        kind,
        metadata: meta2,
        spec: {
          ca: check.string(spec.ca, 'spec.ca', NAME, 'the name of a FabricCA'),
          replicas: check.integer(spec.replicas ?? 1, 'spec.replicas', 0, REPLICAS_MAX),
          scaleDownPolicy: check.oneOf(
            spec.scaleDownPolicy ?? 'Retain',
            'spec.scaleDownPolicy',
            ['Retain', 'Delete'] as const,
            'Retain',
          ),
        },
      };
      break;
    }
    case 'FabricChannel': {
      const spec = check.object(top.spec, 'spec', ['ordererSet', 'peerSelector']);
      resource = {
        apiVersion: API_VERSION,
        kind,
        metadata: meta2,
        spec: {
          ordererSet: check.string(
            spec.ordererSet,
            'spec.ordererSet',
            NAME,
            'the name of a FabricOrdererSet',
          ),
          peerSelector: parseSelector(check, spec.peerSelector),
        },
      };
      if (!/^[a-z][a-z0-9.-]{0,248}$/.test(name)) check.fail('metadata.name', 'must be a valid channel name');
      break;
    }
    case 'FabricChaincode': {
      const spec = check.object(top.spec, 'spec', [
        'channel',
        'version',
        'sequence',
        'endorsementPolicy',
        'server',
      ]);
      const server = check.object(spec.server ?? {}, 'spec.server', ['image', 'port']);
      resource = {
        apiVersion: API_VERSION,
        kind,
        metadata: meta2,
        spec: {
          channel: check.string(spec.channel, 'spec.channel', NAME, 'the name of a FabricChannel'),
          version: check.string(spec.version, 'spec.version', /^[A-Za-z0-9_.+-]{1,64}$/, 'a version label'),
          ...(spec.sequence === undefined
            ? {}
            : { sequence: check.integer(spec.sequence, 'spec.sequence', 1, 1_000_000) }),
          ...(spec.endorsementPolicy === undefined
            ? {}
            : { endorsementPolicy: check.string(spec.endorsementPolicy, 'spec.endorsementPolicy') }),
          server: {
            ...(server.image === undefined ? {} : { image: check.string(server.image, 'spec.server.image') }),
            port: check.integer(server.port ?? 9999, 'spec.server.port', 1, 65535),
          },
        },
      };
      break;
    }
    default:
      check.fail(
        'kind',
        'must be one of FabricCA, FabricOrdererSet, FabricPeerSet, FabricChannel, FabricChaincode',
      );
  }
  problems.push(...check.problems);
  return check.problems.length === 0 ? resource : undefined;
}

/** True when every label of the selector is on `labels`. */
export function selects(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels?.[key] === value);
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
    const resource = parseResource(value, index, problems);
    if (resource) resources.push(resource);
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
