import { peer } from '@hyperledger/fabric-protos';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { errorText } from '@fabric-wallet/fabric-client';
import { parsePolicy, signaturePolicyEnvelope } from './policy.js';

/** A chaincode definition as orgs approve and commit it on a channel. */
export interface ChaincodeDefinition {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  /** Only for approval: the package this org's peers run. */
  readonly packageId?: string;
  /** Signature policy text (policy.ts); absent: the channel's Endorsement policy (MAJORITY). */
  readonly endorsementPolicy?: string;
}

/** Endorsement by the channel's Endorsement policy (MAJORITY of the orgs by default). */
const DEFAULT_POLICY = '/Channel/Application/Endorsement';

/** The definition's validation parameter: its signature policy, or the channel's default. */
export function validationParameter(endorsementPolicy?: string): Uint8Array {
  const policy = new peer.ApplicationPolicy();
  if (endorsementPolicy === undefined) policy.setChannelConfigPolicyReference(DEFAULT_POLICY);
  else policy.setSignaturePolicy(signaturePolicyEnvelope(parsePolicy(endorsementPolicy)));
  return policy.serializeBinary();
}

/** The setters that approve, commit and readiness arguments share. */
interface DefinitionArgs {
  setName(value: string): void;
  setVersion(value: string): void;
  setSequence(value: number): void;
  setEndorsementPlugin(value: string): void;
  setValidationPlugin(value: string): void;
  setValidationParameter(value: Uint8Array): void;
  setInitRequired(value: boolean): void;
}

/** Fills the fields every org must agree on, the same way for approve, check and commit. */
function withDefinition<T extends DefinitionArgs>(args: T, definition: ChaincodeDefinition): T {
  args.setName(definition.name);
  args.setVersion(definition.version);
  args.setSequence(definition.sequence);
  args.setEndorsementPlugin('escc');
  args.setValidationPlugin('vscc');
  args.setValidationParameter(validationParameter(definition.endorsementPolicy));
  args.setInitRequired(false);
  return args;
}

function lifecycleContract(gateway: Gateway, channel: string) {
  return gateway.getNetwork(channel).getContract('_lifecycle');
}

/** The committed definition of `name`, or undefined when none is committed yet. */
export async function queryCommitted(
  gateway: Gateway,
  channel: string,
  name: string,
): Promise<
  | { sequence: number; version: string; validationParameter: Uint8Array; approvals: Record<string, boolean> }
  | undefined
> {
  const args = new peer.lifecycle.QueryChaincodeDefinitionArgs();
  args.setName(name);
  try {
    const bytes = await lifecycleContract(gateway, channel).evaluate('QueryChaincodeDefinition', {
      arguments: [args.serializeBinary()],
    });
    const result = peer.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes);
    return {
      sequence: result.getSequence(),
      version: result.getVersion(),
      validationParameter: result.getValidationParameter_asU8(),
      approvals: Object.fromEntries(result.getApprovalsMap().entries()),
    };
  } catch (error) {
    if (/namespace \S+ is not defined/.test(errorText(error))) return undefined;
    throw error;
  }
}

/** Which orgs have approved exactly this definition. */
export async function commitReadiness(
  gateway: Gateway,
  channel: string,
  definition: ChaincodeDefinition,
): Promise<Record<string, boolean>> {
  const args = withDefinition(new peer.lifecycle.CheckCommitReadinessArgs(), definition);
  const bytes = await lifecycleContract(gateway, channel).evaluate('CheckCommitReadiness', {
    arguments: [args.serializeBinary()],
  });
  return Object.fromEntries(
    peer.lifecycle.CheckCommitReadinessResult.deserializeBinary(bytes).getApprovalsMap().entries(),
  );
}

/** Approves the definition for the gateway identity's org (endorsed by that org's peers only). */
export async function approve(
  gateway: Gateway,
  channel: string,
  mspId: string,
  definition: ChaincodeDefinition,
): Promise<void> {
  if (!definition.packageId) throw new Error(`approving ${definition.name} needs the org's package id`);
  const local = new peer.lifecycle.ChaincodeSource.Local();
  local.setPackageId(definition.packageId);
  const source = new peer.lifecycle.ChaincodeSource();
  source.setLocalPackage(local);
  const args = withDefinition(new peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs(), definition);
  args.setSource(source);
  await lifecycleContract(gateway, channel).submit('ApproveChaincodeDefinitionForMyOrg', {
    arguments: [args.serializeBinary()],
    endorsingOrganizations: [mspId],
  });
}

/** Commits the definition once enough orgs approved; endorsed by a peer of each of `orgs`. */
export async function commit(
  gateway: Gateway,
  channel: string,
  orgs: readonly string[],
  definition: ChaincodeDefinition,
): Promise<void> {
  const args = withDefinition(new peer.lifecycle.CommitChaincodeDefinitionArgs(), definition);
  await lifecycleContract(gateway, channel).submit('CommitChaincodeDefinition', {
    arguments: [args.serializeBinary()],
    endorsingOrganizations: [...orgs],
  });
}
