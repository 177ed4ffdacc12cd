import { parseJson, SchemaError, type Schema } from './schema.js';

/** Where a piece of chaincode output came from, for the error that refuses it. */
export interface ResultSource {
  /** `token:GetTx` for a transaction's result, `event wallet.Minted` for an event's payload. */
  readonly source: string;
  /** The root of paths in messages: `result` or `payload`. */
  readonly root: string;
  /**
   * The output is of a committed transaction (a submit's result, an event): whatever the
   * reader does about the refusal, the transaction stands.
   */
  readonly committed: boolean;
}

/**
 * The chaincode answered something this protocol refuses: not UTF-8, not JSON, or not of
 * the expected shape. A version mismatch between chaincode and client, or a bug; never the
 * caller's input. `path` and `problem` say what was wrong.
 */
export class ChaincodeResultError extends Error {
  override readonly name = 'ChaincodeResultError';
  readonly source: string;
  readonly committed: boolean;
  constructor(
    from: ResultSource,
    readonly path: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`the chaincode's ${from.source} is not what the protocol expects: ${path}: ${problem}`, options);
    this.source = from.source;
    this.committed = from.committed;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads chaincode output (UTF-8 JSON) with `target`; what it refuses is a ChaincodeResultError. */
export function decodeChaincodeJson<T>(target: Schema<T>, bytes: Uint8Array, from: ResultSource): T {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new ChaincodeResultError(from, from.root, 'is not UTF-8 text', { cause: error });
  }
  try {
    return parseJson(target, text, from.root);
  } catch (error) {
    if (error instanceof SchemaError)
      throw new ChaincodeResultError(from, error.path, error.problem, { cause: error });
    throw error;
  }
}
