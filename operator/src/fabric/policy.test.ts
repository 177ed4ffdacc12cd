import { common, msp } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError, signaturePolicyEnvelope } from './policy.js';

describe('endorsement policies', () => {
  it('parses AND, OR and OutOf with quoted MSP roles', () => {
    expect(parsePolicy("OR('A.member', AND('B.admin', \"C.peer\"))")).toEqual({
      kind: 'outOf',
      n: 1,
      rules: [
        { kind: 'signedBy', mspId: 'A', role: 'member' },
        {
          kind: 'outOf',
          n: 2,
          rules: [
            { kind: 'signedBy', mspId: 'B', role: 'admin' },
            { kind: 'signedBy', mspId: 'C', role: 'peer' },
          ],
        },
      ],
    });
    expect(parsePolicy("OutOf(2, 'A.peer', 'B.peer', 'C.peer')")).toMatchObject({ kind: 'outOf', n: 2 });
  });

  it.each([
    ["AND('A.peer'", "expected ')'"],
    ["AND('A.boss')", "role 'boss' is not one of member, admin, client, peer, orderer"],
    ["OutOf(4, 'A.peer', 'B.peer')", 'OutOf(4, ...) needs between 1 and 2 signatures'],
    ["XOR('A.peer')", 'expected AND(...), OR(...), OutOf(n, ...)'],
    ["'A.peer' extra", 'unexpected text after the policy'],
    ["AND('peer')", "principal 'peer' is not <MSP id>.<role>"],
  ])('rejects %s saying what is wrong', (text, message) => {
    expect(() => parsePolicy(text)).toThrow(PolicyError);
    expect(() => parsePolicy(text)).toThrow(message);
  });

  it('builds the envelope Fabric evaluates, each principal once', () => {
    const envelope = signaturePolicyEnvelope(
      parsePolicy("AND('WalletOrgMSP.peer', OR('WalletOrgMSP.peer', 'CinemaOrgMSP.peer'))"),
    );
    const decoded = common.SignaturePolicyEnvelope.deserializeBinary(envelope.serializeBinary());

    const principals = decoded.getIdentitiesList().map((principal) => {
      const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
      return [principal.getPrincipalClassification(), role.getMspIdentifier(), role.getRole()];
    });
    expect(principals).toEqual([
      [msp.MSPPrincipal.Classification.ROLE, 'WalletOrgMSP', msp.MSPRole.MSPRoleType.PEER],
      [msp.MSPPrincipal.Classification.ROLE, 'CinemaOrgMSP', msp.MSPRole.MSPRoleType.PEER],
    ]);
    const rule = decoded.getRule();
    expect(rule?.getNOutOf()?.getN()).toBe(2);
    const inner = rule?.getNOutOf()?.getRulesList()[1]?.getNOutOf();
    expect(inner?.getN()).toBe(1);
    expect(inner?.getRulesList().map((r) => r.getSignedBy())).toEqual([0, 1]);
  });
});
