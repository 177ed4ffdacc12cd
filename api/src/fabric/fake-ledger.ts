import { chaincodeClient, type ChaincodeClient, type TransactionCall } from '@fabric-wallet/ccaas/protocol';
import type { PemIdentity } from '../config.js';
import { unavailable } from '../errors.js';
import { ledgerError, type ChaincodeAccess } from './ledger.js';

/** Answers one transaction from its arguments: a value (sent as JSON) or raw result bytes. */
export type FakeAnswer = (args: readonly string[]) => unknown;

/**
 * The ledger of unit tests, behind the protocol's transport: each transaction (`token:GetTx`)
 * is answered by its handler, the result read back through the real client and its schemas.
 * A handler that throws gets the error the real Ledger gives for it (`TX_NOT_FOUND: ...` is a
 * 404); a transaction without a handler is a ledger outage (503). Every call is recorded.
 */
export class FakeLedger implements ChaincodeAccess {
  readonly calls: { readonly identity: PemIdentity; readonly call: TransactionCall }[] = [];

  constructor(private readonly answers: Readonly<Record<string, FakeAnswer>> = {}) {}

  as(identity: PemIdentity): ChaincodeClient {
    return chaincodeClient(async (call) => {
      this.calls.push({ identity, call });
      const answer = this.answers[`${call.contract}:${call.name}`];
      try {
        if (!answer) throw unavailable(`the fake ledger has no answer for ${call.contract}:${call.name}`);
        const result = await answer(call.args);
        return result instanceof Uint8Array ? result : Buffer.from(JSON.stringify(result));
      } catch (error) {
        throw ledgerError(error, call.name);
      }
    });
  }
}
