import { ChaincodeResultError, type TxRecord } from '@fabric-wallet/ccaas/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { FakeLedger } from '../fabric/fake-ledger.js';
import { traceFromLedger, unspentFromLedger, verifyTrace, type Provenance } from './trace.js';

const reader = { mspId: 'WalletOrgMSP', certificate: '', privateKeyPem: '' };
const MINT = '1'.repeat(64);
const PAY = '2'.repeat(64);
const ADDRESS = 'W1111111111111111111111111';
const mint: TxRecord = {
  txId: MINT,
  kind: 'mint',
  ts: Date.UTC(2026, 10, 1),
  inputs: [],
  outputs: [{ address: ADDRESS, amount: '10' }],
  signers: [],
  memoHash: '',
  submitterMsp: 'WalletOrgMSP',
  orderId: 'rc-1',
};
const pay: TxRecord = {
  ...mint,
  txId: PAY,
  kind: 'transfer',
  ts: Date.UTC(2026, 10, 2),
  inputs: [{ txId: MINT, index: 0, owner: ADDRESS, amount: '10' }],
  signers: [ADDRESS],
};
const onChainTrace = {
  root: { txId: PAY, index: 0 },
  txs: [pay, mint],
  edges: [{ from: `${MINT}:0`, to: PAY }],
  mints: [MINT],
  complete: true,
};

describe('the provenance read from the ledger', () => {
  it('asks the chaincode’s Trace and shows each transaction with its inputs as outpoints', async () => {
    const ledger = new FakeLedger({ 'token:Trace': () => onChainTrace });

    const provenance = await traceFromLedger(ledger.as(reader), PAY, 0, 8);

    expect(ledger.calls.map(({ call }) => call.args)).toEqual([[PAY, '0', '8']]);
    expect(provenance).toEqual({
      root: { txId: PAY, index: 0 },
      txs: [
        {
          txId: PAY,
          kind: 'transfer',
          ts: '2026-11-02T00:00:00.000Z',
          inputs: [`${MINT}:0`],
          outputs: [{ address: ADDRESS, amount: '10' }],
        },
        {
          txId: MINT,
          kind: 'mint',
          ts: '2026-11-01T00:00:00.000Z',
          inputs: [],
          outputs: [{ address: ADDRESS, amount: '10' }],
        },
      ],
      mints: [MINT],
      complete: true,
    });
  });

  it('verifies a provenance only when the ledger reaches the same transactions and mints', async () => {
    const ledger = new FakeLedger({ 'token:Trace': () => onChainTrace });
    const provenance = await traceFromLedger(ledger.as(reader), PAY, 0, 8);
    const missingMint: Provenance = { ...provenance, txs: provenance.txs.slice(0, 1) };
    const otherMint: Provenance = { ...provenance, mints: ['3'.repeat(64)] };

    const verdicts = await Promise.all(
      [provenance, missingMint, otherMint].map((candidate) => verifyTrace(ledger.as(reader), candidate, 8)),
    );

    expect(verdicts).toEqual([true, false, false]);
  });

  it('refuses a Trace result the protocol does not know, naming the field', async () => {
    const ledger = new FakeLedger({ 'token:Trace': () => ({ ...onChainTrace, mints: 'all of them' }) });

    const error = await traceFromLedger(ledger.as(reader), PAY, 0, 8).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ChaincodeResultError);
    expect(error).toMatchObject({ source: 'token:Trace', path: 'result.mints', committed: false });
  });

  it('turns the chaincode’s “no such transaction” into a 404', async () => {
    const ledger = new FakeLedger({
      'token:Trace': () => {
        throw new Error(`TX_NOT_FOUND: no transaction ${PAY} on this ledger`);
      },
    });

    const error = await traceFromLedger(ledger.as(reader), PAY, 0, 8).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, kind: 'not-found' });
  });
});

describe('unspentFromLedger', () => {
  it('reads every page of every address', async () => {
    const utxo = (index: number) => ({ txId: PAY, index, owner: ADDRESS, amount: '1' });
    const ledger = new FakeLedger({
      'token:ListUnspent': ([address, , bookmark]) =>
        address !== ADDRESS
          ? { items: [], bookmark: '' }
          : bookmark === ''
            ? { items: [utxo(0)], bookmark: 'page-2' }
            : { items: [utxo(1)], bookmark: '' },
    });

    const items = await unspentFromLedger(ledger.as(reader), [ADDRESS, 'W2222222222222222222222222']);

    expect(items.map((item) => item.index)).toEqual([0, 1]);
    expect(ledger.calls).toHaveLength(3);
  });
});
