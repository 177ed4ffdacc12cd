import { describe, expect, it } from 'vitest';
import { planCa } from './ca.js';
import { dependents } from './names.js';
import { sample } from './test-fixtures.js';

const walletCa = sample.cas.find((ca) => ca.metadata.name === 'wallet-ca');
if (!walletCa) throw new Error('sample has no wallet-ca');
const access = { url: 'https://ca:7054', caName: 'ca', caCert: 'root', admin: { id: 'admin', secret: 'x' } };
const answering = {
  url: 'https://ca:7054',
  tlsUrl: 'https://ca:7055',
  cas: { org: 'WalletOrg', mspId: 'WalletOrgMSP', ca: access, tlsca: access },
};

describe('planCa (FabricCA)', () => {
  it('enrolls the org admin and every identity of the spec, with its role attribute', () => {
    const plan = planCa(walletCa, { state: answering, fabricAdmin: true, enrolled: new Set() });
    expect(plan.actions.map((action) => action.request.id)).toEqual([
      'walletorg-admin',
      'api-registrar',
      'issuer',
    ]);
    expect(plan.actions.find((action) => action.key === 'users/issuer')?.request.attrs).toEqual({
      'wallet.role': 'issuer',
    });
    expect(plan.actions.find((action) => action.key === 'users/api-registrar')?.request.registrar).toBe(true);
    expect(plan.verdict).toMatchObject({
      state: 'Ready',
      fields: { registered: ['walletorg-admin', 'api-registrar', 'issuer'] },
    });
  });

  it('enrolls only what is missing', () => {
    const plan = planCa(walletCa, {
      state: answering,
      fabricAdmin: true,
      enrolled: new Set(['users/admin', 'users/issuer']),
    });
    expect(plan.actions.map((action) => action.key)).toEqual(['users/api-registrar']);
  });

  it('waits while the CA does not answer', () => {
    const plan = planCa(walletCa, {
      state: { url: 'u', tlsUrl: 't' },
      fabricAdmin: true,
      enrolled: new Set(),
    });
    expect(plan.actions).toEqual([]);
    expect(plan.verdict).toMatchObject({
      state: 'Progressing',
      reason: 'WaitingForPods',
      fields: { url: 'u', tlsUrl: 't' },
    });
  });
});

describe('dependents', () => {
  it('a CA wakes its sets and the chaincodes; a set its channels; a channel its chaincodes', () => {
    const names = (kind: string, name: string) =>
      dependents(sample, kind, name).map((ref) => `${ref.kind}/${ref.name}`);
    expect(names('FabricCA', 'wallet-ca')).toEqual(['FabricPeerSet/wallet', 'FabricChaincode/token']);
    expect(names('FabricPeerSet', 'wallet')).toEqual(['FabricChannel/payments']);
    expect(names('FabricChannel', 'payments')).toEqual(['FabricChaincode/token']);
    expect(names('FabricChaincode', 'token')).toEqual([]);
  });
});
