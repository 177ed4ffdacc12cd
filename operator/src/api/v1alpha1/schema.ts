import { z } from 'zod';
import { parsePolicy, PolicyError } from '../../fabric/policy.js';

/**
 * The custom resources of group fabricwallet.io, version v1alpha1, as zod schemas: the one
 * source of truth. The TypeScript types (types.ts) are inferred from them, the local runtime
 * validates manifests with them (parse.ts), and the CRDs in manifests/crds are generated
 * from them (crd.ts, `npm run generate:crds`); a test fails when the committed CRDs differ.
 *
 * Every schema names its problem in words a user can act on ("must be an integer between 0
 * and 16"); `.meta()` adds what only the API server understands (CEL rules, minProperties).
 */

export const GROUP = 'fabricwallet.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const CHANNEL_NAME = /^[a-z][a-z0-9.-]{0,248}$/;
export const PEER_REPLICAS_MAX = 16;

/** A required string matching `pattern`; `hint` says what it must be. */
function text(pattern: RegExp, hint: string, description: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? undefined : `must be ${hint}`),
    })
    .regex(pattern)
    .describe(description);
}

/** A string that only has to be non-empty. */
function nonEmpty(description: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : 'must be a non-empty string') })
    .min(1)
    .describe(description);
}

function integer(min: number, max: number, description: string) {
  return z
    .int({
      error: (issue) =>
        issue.input === undefined ? undefined : `must be an integer between ${min} and ${max}`,
    })
    .min(min)
    .max(max)
    .describe(description);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .enum(values, {
      error: (issue) => (issue.input === undefined ? undefined : `must be one of ${values.join(', ')}`),
    })
    .describe(description);
}

const reference = (kind: string) =>
  text(DNS_LABEL, `the name of a ${kind}`, `Name of a ${kind} in the same namespace.`);

/** A CEL validation rule the API server evaluates (x-kubernetes-validations). */
function cel(rule: string, message: string) {
  return { 'x-kubernetes-validations': [{ rule, message }] };
}

/** A field that cannot change once set (a CEL transition rule). */
const immutable = (field: string) => cel('self == oldSelf', `${field} cannot be changed once set`);

const labels = z.record(z.string(), z.string({ error: 'must be a string' }));

export const ConditionSchema = z
  .strictObject({
    type: oneOf(['Ready', 'Progressing', 'Degraded'], 'Ready, Progressing or Degraded.'),
    status: oneOf(['True', 'False', 'Unknown'], 'True, False or Unknown.'),
    reason: z.string().describe('One CamelCase word saying why.'),
    message: z.string().describe('What is happening, for a human.'),
    observedGeneration: z.int().min(0).describe('The metadata.generation this condition describes.'),
    lastTransitionTime: z.string().describe('When status last changed (RFC 3339).'),
  })
  .describe('A standard Kubernetes condition; lastTransitionTime moves only when status flips.');

const common = {
  observedGeneration: z.int().min(0).optional().describe('The metadata.generation last reconciled.'),
  conditions: z
    .array(ConditionSchema)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe('Ready, Progressing and Degraded.'),
};

export const IdentitySchema = z
  .strictObject({
    name: text(
      /^[a-z0-9][-a-z0-9.]{0,63}$/,
      'a lower-case enrollment id',
      'Enrollment id. Operator identities only; end users get random ids from the API.',
    ),
    type: oneOf(
      ['admin', 'client', 'peer', 'orderer'],
      'Fabric CA identity type; NodeOUs map it to the MSP role.',
    ),
    walletRole: oneOf(
      ['customer', 'merchant', 'issuer', 'auditor'],
      'wallet.role written into the enrollment certificate.',
    ).optional(),
    registrar: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('May register further client identities carrying wallet.role (the API registrar).'),
  })
  .refine((identity) => identity.walletRole === undefined || identity.type === 'client', {
    message: 'walletRole applies to client identities only',
    path: ['walletRole'],
  })
  .meta(cel("!has(self.walletRole) || self.type == 'client'", 'walletRole applies to client identities only'))
  .describe('An identity the CA registers and enrolls at reconcile time.');

export const FabricCASpecSchema = z
  .strictObject({
    org: text(
      /^[A-Za-z][A-Za-z0-9]{0,31}$/,
      'letters and digits, starting with a letter',
      'Organization name, e.g. WalletOrg.',
    ),
    mspId: text(
      /^[A-Za-z][A-Za-z0-9.-]{0,63}$/,
      'an MSP id',
      'MSP id of the organization, e.g. WalletOrgMSP.',
    ),
    identities: z
      .array(IdentitySchema)
      .max(64)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Identities to register and enroll besides the nodes own.'),
  })
  .describe('A certificate authority for one organization, with a separate TLS CA.');

export const FabricCAStatusSchema = z.strictObject({
  ...common,
  url: z.string().optional().describe('URL of the enrollment CA.'),
  tlsUrl: z.string().optional().describe('URL of the TLS CA.'),
  registered: z.array(z.string()).optional().describe('Enrollment ids registered so far.'),
});

export const FabricOrdererSetSpecSchema = z
  .strictObject({
    ca: reference('FabricCA').meta(immutable('ca')),
    replicas: integer(1, 5, 'Number of ordering nodes (Raft: 3 or 5 tolerate failures).')
      .default(1)
      .meta(
        cel(
          'self == oldSelf',
          'replicas cannot be changed once set: adding or removing a Raft consenter needs a channel configuration update, which the operator does not make yet',
        ),
      ),
    consensus: oneOf(['etcdraft', 'BFT'], 'Consensus type of the channels this set orders.')
      .default('etcdraft')
      .meta(immutable('consensus')),
  })
  .refine((spec) => spec.consensus !== 'BFT' || spec.replicas >= 4, {
    message: 'BFT needs at least 4 orderers',
    path: ['replicas'],
  })
  .meta(cel("self.consensus != 'BFT' || self.replicas >= 4", 'BFT needs at least 4 orderers'));

export const FabricOrdererSetStatusSchema = z.strictObject({
  ...common,
  replicas: z.int().min(0).optional().describe('Orderers that exist.'),
  readyReplicas: z.int().min(0).optional().describe('Orderers that are ready.'),
  channels: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .describe('Channels each orderer has joined.'),
});

export const FabricPeerSetSpecSchema = z.strictObject({
  ca: reference('FabricCA').meta(immutable('ca')),
  replicas: integer(0, PEER_REPLICAS_MAX, 'Number of peers; each has its own identity and storage.').default(
    1,
  ),
  scaleDownPolicy: oneOf(
    ['Retain', 'Delete'],
    'Retain keeps a removed peer ledger (PVC) and identity so scaling out again reuses them; Delete removes both.',
  ).default('Retain'),
});

export const PeerStatusSchema = z.strictObject({
  name: z.string(),
  ordinal: z.int().min(0),
  ready: z.boolean(),
  endpoint: z.string().optional(),
  identity: z.boolean().optional().describe('Its MSP and TLS material are issued.'),
  channels: z.array(z.string()).optional(),
  heights: z.record(z.string(), z.int()).optional().describe('Block height per channel.'),
  installed: z.array(z.string()).optional().describe('Chaincode package ids installed.'),
});

export const FabricPeerSetStatusSchema = z.strictObject({
  ...common,
  replicas: z.int().min(0).optional(),
  readyReplicas: z.int().min(0).optional(),
  selector: z.string().optional().describe('Label selector of the peers, for the scale subresource.'),
  peers: z.array(PeerStatusSchema).optional(),
});

export const LabelSelectorSchema = z.strictObject({
  matchLabels: labels
    .refine((value) => Object.keys(value).length > 0, 'must name at least one label')
    .meta({ minProperties: 1 }),
});

export const FabricChannelSpecSchema = z.strictObject({
  ordererSet: reference('FabricOrdererSet').meta(immutable('ordererSet')),
  peerSelector: LabelSelectorSchema.describe(
    'Selects the FabricPeerSets whose peers join; their orgs become channel members.',
  ),
});

export const FabricChannelStatusSchema = z.strictObject({
  ...common,
  organizations: z.array(z.string()).optional().describe('MSP ids of the member orgs.'),
  height: z.int().min(0).optional(),
  orderers: z.array(z.string()).optional().describe('Orderers that have joined.'),
  peers: z.array(z.string()).optional().describe('Peers that have joined.'),
});

export const FabricChaincodeSpecSchema = z
  .strictObject({
    channel: reference('FabricChannel').meta(immutable('channel')),
    version: text(/^[A-Za-z0-9_.+-]{1,64}$/, 'a version label', 'Chaincode version label, e.g. "1.0".'),
    sequence: integer(
      1,
      1_000_000,
      'Definition sequence; computed (committed + 1 on a change) when omitted.',
    ).optional(),
    endorsementPolicy: nonEmpty(
      "Signature policy, e.g. AND('WalletOrgMSP.peer','CinemaOrgMSP.peer'); default: the channel MAJORITY Endorsement.",
    )
      .superRefine((text, context) => {
        try {
          parsePolicy(text);
        } catch (error) {
          if (!(error instanceof PolicyError)) throw error;
          context.addIssue({ code: 'custom', message: `is not a valid policy: ${error.message}` });
        }
      })
      .optional(),
    server: z
      .strictObject({
        image: nonEmpty('Container image of the chaincode server (Kubernetes runtime).').optional(),
        port: integer(1, 65535, 'Port the chaincode server listens on.').default(9999),
        replicas: integer(1, 8, 'Chaincode server pods behind its Service (Kubernetes runtime).').default(1),
      })
      .prefault({})
      .describe('Where the chaincode server (CCaaS) runs.'),
  })
  .meta(
    cel(
      '!has(oldSelf.sequence) || !has(self.sequence) || self.sequence >= oldSelf.sequence',
      'sequence cannot decrease',
    ),
  );

export const FabricChaincodeStatusSchema = z.strictObject({
  ...common,
  packageId: z.string().optional(),
  address: z.string().optional().describe('host:port the peers dial (connection.json).'),
  sequence: z.int().min(0).optional(),
  approvedBy: z.array(z.string()).optional().describe('MSP ids that approved the definition.'),
  committed: z.boolean().optional(),
  installedOn: z.array(z.string()).optional().describe('Peers the package is installed on.'),
});

/** Metadata as the API server returns it; only what the operator reads is checked. */
export const ObjectMetaSchema = z.looseObject({
  name: text(DNS_LABEL, 'a DNS-1123 label', 'Object name.'),
  namespace: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  generation: z.int().default(1),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
});

function resource<K extends string, S extends z.ZodType, T extends z.ZodType>(kind: K, spec: S, status: T) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
    kind: z.literal(kind),
    metadata: ObjectMetaSchema,
    spec,
    status: status.optional(),
  });
}

export const FabricCASchema = resource('FabricCA', FabricCASpecSchema, FabricCAStatusSchema);
export const FabricOrdererSetSchema = resource(
  'FabricOrdererSet',
  FabricOrdererSetSpecSchema,
  FabricOrdererSetStatusSchema,
);
export const FabricPeerSetSchema = resource(
  'FabricPeerSet',
  FabricPeerSetSpecSchema,
  FabricPeerSetStatusSchema,
);
export const FabricChannelSchema = resource(
  'FabricChannel',
  FabricChannelSpecSchema,
  FabricChannelStatusSchema,
).superRefine((channel, context) => {
  if (!CHANNEL_NAME.test(channel.metadata.name))
    context.addIssue({ code: 'custom', path: ['metadata', 'name'], message: 'must be a valid channel name' });
});
export const FabricChaincodeSchema = resource(
  'FabricChaincode',
  FabricChaincodeSpecSchema,
  FabricChaincodeStatusSchema,
);

/** Each kind: its schema and what the CRD adds (plural, short names, columns, CEL on the root). */
export const KINDS = {
  FabricCA: { schema: FabricCASchema, spec: FabricCASpecSchema, status: FabricCAStatusSchema },
  FabricOrdererSet: {
    schema: FabricOrdererSetSchema,
    spec: FabricOrdererSetSpecSchema,
    status: FabricOrdererSetStatusSchema,
  },
  FabricPeerSet: {
    schema: FabricPeerSetSchema,
    spec: FabricPeerSetSpecSchema,
    status: FabricPeerSetStatusSchema,
  },
  FabricChannel: {
    schema: FabricChannelSchema,
    spec: FabricChannelSpecSchema,
    status: FabricChannelStatusSchema,
  },
  FabricChaincode: {
    schema: FabricChaincodeSchema,
    spec: FabricChaincodeSpecSchema,
    status: FabricChaincodeStatusSchema,
  },
} as const;

export type FabricKind = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as FabricKind[];
