import { stringify } from 'yaml';
import { z } from 'zod';
import { CHANNEL_NAME, GROUP, KINDS, VERSION, type FabricKind } from './schema.js';

type JsonSchema = Record<string, unknown>;

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

interface KindExtras {
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly columns: readonly Column[];
  /** FabricPeerSet: `kubectl scale` through the scale subresource. */
  readonly scale?: boolean;
  /** CEL rules on the whole object (the only place metadata.name can be checked). */
  readonly rootRules?: readonly { rule: string; message: string }[];
}

const ready: Column = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const reason: Column = {
  name: 'Reason',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  priority: 1,
};
const age: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** What a CRD adds to each kind's schema: names, `kubectl get` columns, subresources. */
export const CRD_EXTRAS: Readonly<Record<FabricKind, KindExtras>> = {
  FabricCA: {
    plural: 'fabriccas',
    shortNames: ['fca'],
    columns: [
      { name: 'Org', type: 'string', jsonPath: '.spec.org' },
      { name: 'MSP', type: 'string', jsonPath: '.spec.mspId' },
      ready,
      reason,
      age,
    ],
  },
  FabricOrdererSet: {
    plural: 'fabricorderersets',
    shortNames: ['fos'],
    columns: [
      { name: 'Consensus', type: 'string', jsonPath: '.spec.consensus' },
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
      ready,
      reason,
      age,
    ],
  },
  FabricPeerSet: {
    plural: 'fabricpeersets',
    shortNames: ['fps'],
    scale: true,
    columns: [
      { name: 'CA', type: 'string', jsonPath: '.spec.ca' },
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
      ready,
      reason,
      age,
    ],
  },
  FabricChannel: {
    plural: 'fabricchannels',
    shortNames: ['fch'],
    rootRules: [
      {
        rule: `self.metadata.name.matches('${CHANNEL_NAME.source}')`,
        message: 'metadata.name must be a valid channel name (lower case, starting with a letter)',
      },
    ],
    columns: [
      { name: 'Orderers', type: 'string', jsonPath: '.spec.ordererSet' },
      { name: 'Height', type: 'integer', jsonPath: '.status.height' },
      ready,
      reason,
      age,
    ],
  },
  FabricChaincode: {
    plural: 'fabricchaincodes',
    shortNames: ['fcc'],
    columns: [
      { name: 'Channel', type: 'string', jsonPath: '.spec.channel' },
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Sequence', type: 'integer', jsonPath: '.status.sequence' },
      { name: 'Committed', type: 'boolean', jsonPath: '.status.committed' },
      ready,
      reason,
      age,
      { name: 'Package', type: 'string', jsonPath: '.status.packageId', priority: 1 },
    ],
  },
};

/**
 * Turns zod's JSON schema into a structural OpenAPI v3 schema the API server accepts:
 * drops `additionalProperties: false` (Kubernetes prunes unknown fields instead, and reports
 * them under strict field validation) and the safe-integer bounds zod adds to every integer.
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    out[key] = key === 'properties' ? mapValues(value as JsonSchema, structural) : structural(value);
  }
  return out;
}

function mapValues(record: JsonSchema, map: (value: unknown) => unknown): JsonSchema {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

const openApi = (schema: z.ZodType) =>
  structural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }));

/** The CustomResourceDefinition of one kind. */
export function crdFor(kind: FabricKind): JsonSchema {
  const { spec, status } = KINDS[kind];
  const extras = CRD_EXTRAS[kind];
  const singular = kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${extras.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'fabric-wallet' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind,
        listKind: `${kind}List`,
        plural: extras.plural,
        singular,
        shortNames: extras.shortNames,
        categories: ['fabric', 'fabricwallet'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            ...(extras.scale
              ? {
                  scale: {
                    specReplicasPath: '.spec.replicas',
                    statusReplicasPath: '.status.replicas',
                    labelSelectorPath: '.status.selector',
                  },
                }
              : {}),
          },
          additionalPrinterColumns: extras.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: (spec.description ?? `${kind} of ${GROUP}.`).trim(),
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: openApi(spec),
                status: openApi(status),
              },
              ...(extras.rootRules ? { 'x-kubernetes-validations': extras.rootRules } : {}),
            },
          },
        },
      ],
    },
  };
}

export const CRD_HEADER =
  '# Generated from operator/src/api/v1alpha1/schema.ts by `npm run generate:crds`. Do not edit.\n';

/** Every CRD as YAML, by file name (`<plural>.yaml`). */
export function crdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const kind of Object.keys(KINDS) as FabricKind[])
    files.set(`${CRD_EXTRAS[kind].plural}.yaml`, CRD_HEADER + stringify(crdFor(kind), { lineWidth: 0 }));
  return files;
}
