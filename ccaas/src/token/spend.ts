import { parseAmount } from '../protocol/amount.js';
import { Rejection, RejectionCode } from '../protocol/errors.js';
import { parsePublicKeyHex } from '../protocol/keys.js';
import { verifyMessage } from '../protocol/signature.js';
import {
  outpointId,
  transferSigningMessage,
  type TransferBody,
  type TxOutput,
  type Witness,
} from '../protocol/transfer-body.js';
import type { WalletContext } from '../ledger/context.js';
import { KeyType, readJson, stateKey, writeJson } from '../ledger/state.js';
import type { SpentInput, StoredUtxo, TxRecord } from '../model.js';
import type { ChaincodePolicy } from '../policy.js';

/** The checked inputs of a spend and the addresses that signed it. */
export interface CheckedSpend {
  readonly inputs: readonly SpentInput[];
  readonly signers: readonly string[];
}

/** The body is for this channel and chaincode, and not expired at the transaction's time. */
function checkEnvelope(ctx: WalletContext, body: TransferBody, policy: ChaincodePolicy): void {
  const { stub } = ctx;
  if (body.channel !== stub.getChannelID()) {
    throw new Rejection(
      RejectionCode.WrongChannel,
      `the body is for channel ${body.channel}, this is ${stub.getChannelID()}`,
    );
  }
  if (body.chaincode !== policy.chaincodeName) {
    throw new Rejection(
      RejectionCode.WrongChaincode,
      `the body is for chaincode ${body.chaincode}, this is ${policy.chaincodeName}`,
    );
  }
  const now = stub.getDateTimestamp().getTime();
  if (now > body.expiresAt) {
    throw new Rejection(
      RejectionCode.Expired,
      `the body expired at ${new Date(body.expiresAt).toISOString()}`,
    );
  }
}

/** Every input, read from its own key: unspent (with owner and amount), else why not. */
function readInputs(ctx: WalletContext, body: TransferBody): Promise<SpentInput[]> {
  const { stub } = ctx;
  return Promise.all(
    body.inputs.map(async (input): Promise<SpentInput> => {
      const utxo = await readJson<StoredUtxo>(
        stub,
        stateKey(stub, KeyType.Utxo, input.txId, String(input.index)),
      );
      if (utxo) return { ...input, owner: utxo.owner, amount: utxo.amount };
      const record = await readJson<TxRecord>(stub, stateKey(stub, KeyType.Tx, input.txId));
      if (record && input.index < record.outputs.length) {
        throw new Rejection(RejectionCode.InputSpent, `input ${outpointId(input)} is already spent`);
      }
      throw new Rejection(RejectionCode.InputUnknown, `input ${outpointId(input)} does not exist`);
    }),
  );
}

/** One valid low-S signature per input owner, from a key hashing to it; returns the signers. */
function checkWitnesses(
  inputs: readonly SpentInput[],
  body: TransferBody,
  witnesses: readonly Witness[],
): Set<string> {
  const owners = new Set(inputs.map((input) => input.owner));
  const message = transferSigningMessage(body);
  const signed = new Set<string>();
  witnesses.forEach((witness, i) => {
    const key = parsePublicKeyHex(witness.publicKey);
    if (!key) {
      throw new Rejection(
        RejectionCode.MalformedArgument,
        `witnesses[${i}].publicKey: is not an uncompressed P-256 public key`,
      );
    }
    if (!owners.has(key.address)) {
      throw new Rejection(
        RejectionCode.KeyAddressMismatch,
        `witnesses[${i}].publicKey hashes to ${key.address}, which owns no input`,
      );
    }
    if (signed.has(key.address)) {
      throw new Rejection(
        RejectionCode.UnexpectedWitness,
        `witnesses[${i}]: ${key.address} is signed for twice`,
      );
    }
    const check = verifyMessage(key.key, message, witness.signature);
    if (check === 'high-s') {
      throw new Rejection(
        RejectionCode.HighSSignature,
        `witnesses[${i}].signature: uses the high-S form; normalise S to n - S`,
      );
    }
    if (check !== 'valid') {
      throw new Rejection(
        RejectionCode.BadSignature,
        `witnesses[${i}].signature: does not verify for ${key.address}`,
      );
    }
    signed.add(key.address);
  });
  for (const owner of owners) {
    if (!signed.has(owner))
      throw new Rejection(RejectionCode.MissingSignature, `no signature from ${owner}, which owns an input`);
  }
  return signed;
}

/**
 * Checks a signed spend against the ledger without writing anything: body for this channel
 * and chaincode, not expired, every input unspent, one valid low-S signature per input owner
 * from a key that hashes to that owner's address, and sum(inputs) = sum(outputs).
 * Reads only the input keys (and, for a missing input, its transaction record).
 */
export async function checkSpend(
  ctx: WalletContext,
  body: TransferBody,
  witnesses: readonly Witness[],
  policy: ChaincodePolicy,
): Promise<CheckedSpend> {
  checkEnvelope(ctx, body, policy);
  const inputs = await readInputs(ctx, body);
  const signed = checkWitnesses(inputs, body, witnesses);
  const totalIn = inputs.reduce((sum, input) => sum + BigInt(input.amount), 0n);
  const totalOut = sumOutputs(body.outputs);
  if (totalIn !== totalOut) {
    throw new Rejection(
      RejectionCode.SumsDiffer,
      `inputs hold ${totalIn} and outputs ${totalOut}; they must be equal`,
    );
  }
  return { inputs, signers: [...signed].sort() };
}

/** Sum of output amounts (amounts were validated when the body was parsed). */
export function sumOutputs(outputs: readonly TxOutput[]): bigint {
  return outputs.reduce((sum, output) => sum + parseAmount(output.amount), 0n);
}

/** Deletes the spent outputs and their owner-index entries. */
export async function consumeInputs(ctx: WalletContext, inputs: readonly SpentInput[]): Promise<void> {
  const { stub } = ctx;
  for (const input of inputs) {
    await stub.deleteState(stateKey(stub, KeyType.Utxo, input.txId, String(input.index)));
    await stub.deleteState(stateKey(stub, KeyType.Own, input.owner, input.txId, String(input.index)));
  }
}

/** Writes this transaction's outputs `utxo~<txId>~<i>` and their owner-index entries. */
export async function createOutputs(ctx: WalletContext, outputs: readonly TxOutput[]): Promise<void> {
  const { stub } = ctx;
  const txId = stub.getTxID();
  for (const [index, output] of outputs.entries()) {
    await writeJson(stub, stateKey(stub, KeyType.Utxo, txId, String(index)), {
      owner: output.address,
      amount: output.amount,
    });
    await writeJson(stub, stateKey(stub, KeyType.Own, output.address, txId, String(index)), {
      amount: output.amount,
    });
  }
}

/** Writes the immutable transaction record and returns it. */
export async function writeTxRecord(ctx: WalletContext, record: TxRecord): Promise<TxRecord> {
  await writeJson(ctx.stub, stateKey(ctx.stub, KeyType.Tx, record.txId), record);
  return record;
}
