import { describe, expect, it } from 'vitest';
import { FakeLedger } from '../fabric/fake-ledger.js';
import { ledgerCheck, reconcilerCheck } from './readiness.js';

const reader = { mspId: 'WalletOrgMSP', certificate: '', privateKeyPem: '' };

describe('the readiness checks', () => {
  it('takes the chaincode’s “no such transaction” as proof the ledger answers', async () => {
    const ledger = new FakeLedger({
      'token:GetTx': () => {
        throw new Error(`TX_NOT_FOUND: no transaction ${'0'.repeat(64)} on this ledger`);
      },
    });

    expect(await ledgerCheck(ledger.as(reader))).toBe('ok');
  });

  it('reports a ledger that does not answer as unreachable, with why', async () => {
    const ledger = new FakeLedger({
      'token:GetTx': () => {
        throw new Error('14 UNAVAILABLE: No connection established');
      },
    });

    expect(await ledgerCheck(ledger.as(reader))).toBe(
      'unreachable: the ledger did not complete GetTx; try again',
    );
  });

  it('reports users the reconciler could not repair', () => {
    expect(reconcilerCheck({ unrepairedUsers: [] })).toBe('ok');
    expect(reconcilerCheck({ unrepairedUsers: ['u1', 'u2'] })).toMatch(/^diverged: 2 user\(s\)/);
  });
});
