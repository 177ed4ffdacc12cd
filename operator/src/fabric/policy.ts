import { common, msp } from '@hyperledger/fabric-protos';

/**
 * Fabric signature policies in the usual text form, e.g.
 *   AND('WalletOrgMSP.peer', 'CinemaOrgMSP.peer')
 *   OR('A.member', AND('B.admin', 'C.peer'))
 *   OutOf(2, 'A.peer', 'B.peer', 'C.peer')
 * parsed into the SignaturePolicyEnvelope a chaincode definition carries. Principals are
 * MSP roles (member, admin, client, peer, orderer); identical principals are stored once.
 */

export type PolicyNode =
  | { readonly kind: 'signedBy'; readonly mspId: string; readonly role: Role }
  | { readonly kind: 'outOf'; readonly n: number; readonly rules: readonly PolicyNode[] };

const ROLES = { member: 0, admin: 1, client: 2, peer: 3, orderer: 4 } as const;
type Role = keyof typeof ROLES;

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Parses the text form; throws PolicyError saying where and what is wrong. */
export function parsePolicy(text: string): PolicyNode {
  let at = 0;
  const fail = (what: string): never => {
    throw new PolicyError(
      `endorsement policy: ${what} at position ${String(at + 1)} of ${JSON.stringify(text)}`,
    );
  };
  const space = () => {
    while (at < text.length && /\s/.test(text.charAt(at))) at++;
  };
  const expect = (char: string) => {
    space();
    if (text.charAt(at) !== char) fail(`expected '${char}'`);
    at++;
  };
  const node = (): PolicyNode => {
    space();
    const quote = text.charAt(at);
    if (quote === "'" || quote === '"') {
      const end = text.indexOf(quote, at + 1);
      if (end < 0) fail('unterminated principal');
      const principal = text.slice(at + 1, end);
      const dot = principal.lastIndexOf('.');
      const mspId = principal.slice(0, dot);
      const role = principal.slice(dot + 1).toLowerCase();
      if (dot <= 0 || !/^[A-Za-z][A-Za-z0-9.-]*$/.test(mspId))
        fail(`principal '${principal}' is not <MSP id>.<role>`);
      if (!(role in ROLES)) fail(`role '${role}' is not one of ${Object.keys(ROLES).join(', ')}`);
      at = end + 1;
      return { kind: 'signedBy', mspId, role: role as Role };
    }
    const name = /^(AND|OR|OutOf)\s*\(/i.exec(text.slice(at));
    if (!name?.[1]) return fail("expected AND(...), OR(...), OutOf(n, ...) or a quoted 'MSP.role'");
    const op = name[1].toLowerCase();
    at += name[0].length;
    let n: number | undefined;
    if (op === 'outof') {
      space();
      const digits = /^\d+/.exec(text.slice(at));
      if (!digits) fail('OutOf needs a count first');
      n = Number(digits?.[0]);
      at += digits?.[0].length ?? 0;
      expect(',');
    }
    const rules: PolicyNode[] = [node()];
    space();
    while (text.charAt(at) === ',') {
      at++;
      rules.push(node());
      space();
    }
    expect(')');
    const count = op === 'and' ? rules.length : op === 'or' ? 1 : (n ?? 0);
    if (count < 1 || count > rules.length)
      fail(`OutOf(${String(count)}, ...) needs between 1 and ${String(rules.length)} signatures`);
    return { kind: 'outOf', n: count, rules };
  };
  const policy = node();
  space();
  if (at !== text.length) fail('unexpected text after the policy');
  return policy;
}

/** The SignaturePolicyEnvelope of a parsed policy. */
export function signaturePolicyEnvelope(policy: PolicyNode): common.SignaturePolicyEnvelope {
  const principals: string[] = [];
  const indexOf = (mspId: string, role: Role) => {
    const key = `${mspId}\u0000${role}`;
    let index = principals.indexOf(key);
    if (index < 0) index = principals.push(key) - 1;
    return index;
  };
  const build = (node: PolicyNode): common.SignaturePolicy => {
    const rule = new common.SignaturePolicy();
    if (node.kind === 'signedBy') {
      rule.setSignedBy(indexOf(node.mspId, node.role));
    } else {
      const outOf = new common.SignaturePolicy.NOutOf();
      outOf.setN(node.n);
      outOf.setRulesList(node.rules.map(build));
      rule.setNOutOf(outOf);
    }
    return rule;
  };
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setVersion(0);
  envelope.setRule(build(policy));
  envelope.setIdentitiesList(
    principals.map((key) => {
      const [mspId = '', role = 'member'] = key.split('\u0000');
      const mspRole = new msp.MSPRole();
      mspRole.setMspIdentifier(mspId);
      mspRole.setRole(ROLES[role as Role]);
      const principal = new msp.MSPPrincipal();
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      principal.setPrincipal(mspRole.serializeBinary());
      return principal;
    }),
  );
  return envelope;
}
