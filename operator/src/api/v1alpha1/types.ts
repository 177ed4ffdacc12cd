import type { z } from 'zod';
import type {
  ConditionSchema,
  FabricCASchema,
  FabricChaincodeSchema,
  FabricChannelSchema,
  FabricOrdererSetSchema,
  FabricPeerSetSchema,
  IdentitySchema,
  LabelSelectorSchema,
  ObjectMetaSchema,
  PeerStatusSchema,
} from './schema.js';

/**
 * The custom resources of group fabricwallet.io, version v1alpha1, as TypeScript types
 * inferred from their zod schemas (schema.ts), so the types, the manifest validation and the
 * generated CRDs cannot drift apart. Values are as parsed: defaults applied.
 */
export { API_VERSION, GROUP, VERSION, type FabricKind } from './schema.js';

export type ObjectMeta = z.output<typeof ObjectMetaSchema>;
export type Condition = z.output<typeof ConditionSchema>;
export type IdentitySpec = z.output<typeof IdentitySchema>;
export type LabelSelector = z.output<typeof LabelSelectorSchema>;
export type PeerStatus = z.output<typeof PeerStatusSchema>;

export type FabricCA = z.output<typeof FabricCASchema>;
export type FabricOrdererSet = z.output<typeof FabricOrdererSetSchema>;
export type FabricPeerSet = z.output<typeof FabricPeerSetSchema>;
export type FabricChannel = z.output<typeof FabricChannelSchema>;
export type FabricChaincode = z.output<typeof FabricChaincodeSchema>;

export type FabricCASpec = FabricCA['spec'];
export type FabricOrdererSetSpec = FabricOrdererSet['spec'];
export type FabricPeerSetSpec = FabricPeerSet['spec'];
export type FabricChannelSpec = FabricChannel['spec'];
export type FabricChaincodeSpec = FabricChaincode['spec'];
export type FabricCAStatus = NonNullable<FabricCA['status']>;
export type FabricOrdererSetStatus = NonNullable<FabricOrdererSet['status']>;
export type FabricPeerSetStatus = NonNullable<FabricPeerSet['status']>;
export type FabricChannelStatus = NonNullable<FabricChannel['status']>;
export type FabricChaincodeStatus = NonNullable<FabricChaincode['status']>;

export type ConsensusType = FabricOrdererSetSpec['consensus'];
export type ScaleDownPolicy = FabricPeerSetSpec['scaleDownPolicy'];

export type FabricResource = FabricCA | FabricOrdererSet | FabricPeerSet | FabricChannel | FabricChaincode;
