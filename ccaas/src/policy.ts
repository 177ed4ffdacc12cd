import { Rejection, RejectionCode } from './protocol/errors.js';
import type { WalletContext } from './ledger/context.js';

/** Roles carried by the `wallet.role` attribute of a caller's Fabric CA certificate. */
export type Role = 'customer' | 'merchant' | 'issuer' | 'auditor';

export const ROLE_ATTRIBUTE = 'wallet.role';

/**
 * What the chaincode needs to know about its deployment. Every endorser must run with the
 * same values: a difference makes endorsements disagree, so the transaction fails (safely).
 */
export interface ChaincodePolicy {
  /** The chaincode's name on the channel; a signed body must name it. */
  readonly chaincodeName: string;
  /**
   * MSPs whose certificates may carry the issuer role. A role attribute is only as
   * trustworthy as the CA that signed it, so minting is limited to the wallet operator's org.
   */
  readonly issuerMspIds: ReadonlySet<string>;
}

/** Reads the policy from the chaincode server's environment, with documented defaults. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): ChaincodePolicy {
  const issuers = (env.WALLET_ISSUER_MSP_IDS ?? 'WalletOrgMSP')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  return Object.freeze({
    chaincodeName: env.WALLET_CHAINCODE_NAME ?? 'token',
    issuerMspIds: new Set(issuers),
  });
}

/** Throws ROLE_REQUIRED unless the caller's certificate carries `role` (and, for issuers, a trusted MSP). */
export function requireRole(ctx: WalletContext, role: Role, policy: ChaincodePolicy): void {
  const actual = ctx.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE);
  if (actual !== role) {
    throw new Rejection(
      RejectionCode.RoleRequired,
      `this transaction needs a certificate with ${ROLE_ATTRIBUTE}=${role}; the caller's is ${actual ?? 'absent'}`,
    );
  }
  const msp = ctx.clientIdentity.getMSPID();
  if (role === 'issuer' && !policy.issuerMspIds.has(msp)) {
    throw new Rejection(
      RejectionCode.RoleRequired,
      `issuers must belong to ${[...policy.issuerMspIds].join(', ')}, not ${msp}`,
    );
  }
}
