import {
  chaincodeClient,
  generateAddressKey,
  signTransferBody,
  sortOutpoints,
  type AddressKey,
  type ChaincodeClient,
  type Outpoint,
  type ChaincodeTransport,
  type TransferBody,
  type TxRecord,
  type Utxo,
} from '@fabric-wallet/ccaas/protocol';
import { errorText } from '@fabric-wallet/fabric-client';
import {
  connectGateway,
  type GatewayConnection,
  type PeerEndpoint,
  type SigningIdentity,
} from '@fabric-wallet/operator/fabric';

/** A coin a test holds: an outpoint, its amount and the key that may spend it. */
export interface HeldCoin extends Outpoint {
  readonly amount: bigint;
  readonly key: AddressKey;
}

const decoder = new TextDecoder();

/**
 * The protocol's transport over a gateway connection: a submit waits for the commit; a
 * failure's message carries the peers' details (the chaincode's reason).
 */
export function gatewayTransport(
  connection: GatewayConnection,
  channel = 'payments',
  chaincodeName = 'token',
): ChaincodeTransport {
  return async (call) => {
    const contract = connection.gateway.getNetwork(channel).getContract(chaincodeName, call.contract);
    try {
      return call.mode === 'submit'
        ? await contract.submitTransaction(call.name, ...call.args)
        : await contract.evaluateTransaction(call.name, ...call.args);
    } catch (error) {
      throw new Error(errorText(error), { cause: error });
    }
  };
}

/**
 * The chaincode through a real peer gateway, as one Fabric identity: `chaincode` is the typed
 * client of the protocol; `submit` and `evaluate` call functions outside it by name (the
 * benchmark's account-model contract).
 */
export class TokenClient {
  private readonly connection: GatewayConnection;
  /** The protocol's typed client over this gateway; a failure's message carries the peers' details. */
  readonly chaincode: ChaincodeClient;

  constructor(
    endpoint: PeerEndpoint,
    identity: SigningIdentity,
    readonly channel = 'payments',
    readonly chaincodeName = 'token',
  ) {
    this.connection = connectGateway(endpoint, identity);
    this.chaincode = chaincodeClient(gatewayTransport(this.connection, channel, chaincodeName));
  }

  close(): void {
    this.connection.close();
  }

  private async raw(mode: 'submit' | 'evaluate', name: string, args: string[]): Promise<unknown> {
    const contract = this.connection.gateway.getNetwork(this.channel).getContract(this.chaincodeName);
    try {
      const bytes =
        mode === 'submit'
          ? await contract.submitTransaction(name, ...args)
          : await contract.evaluateTransaction(name, ...args);
      return JSON.parse(decoder.decode(bytes)) as unknown;
    } catch (error) {
      throw new Error(errorText(error), { cause: error });
    }
  }

  /** Submits `name` and waits for commit; its result as JSON, unchecked. */
  submit(name: string, ...args: string[]): Promise<unknown> {
    return this.raw('submit', name, args);
  }

  /** Evaluates `name`; its result as JSON, unchecked. */
  evaluate(name: string, ...args: string[]): Promise<unknown> {
    return this.raw('evaluate', name, args);
  }

  /** Mints `amounts` to fresh keys for order `orderId` (the caller must be an issuer). */
  async mint(orderId: string, ...amounts: bigint[]): Promise<HeldCoin[]> {
    const keys = amounts.map(() => generateAddressKey());
    const outputs = amounts.map((amount, i) => ({
      address: keys[i]?.address ?? '',
      amount: amount.toString(),
    }));
    const record = await this.chaincode.recharge(orderId, outputs);
    return amounts.map((amount, index) => ({
      txId: record.txId,
      index,
      amount,
      key: keys[index] ?? generateAddressKey(),
    }));
  }

  /** The signed body spending `coins` to `outputs`. */
  body(coins: readonly HeldCoin[], outputs: readonly { address: string; amount: bigint }[]): TransferBody {
    return {
      version: 1,
      channel: this.channel,
      chaincode: this.chaincodeName,
      inputs: sortOutpoints(coins.map(({ txId, index }) => ({ txId, index }))),
      outputs: outputs.map((output) => ({ address: output.address, amount: output.amount.toString() })),
      memoHash: '',
      expiresAt: Date.now() + 300_000,
    };
  }

  /** Spends `coins` to `outputs`; the new coins get the given keys (same order as outputs). */
  async transfer(
    coins: readonly HeldCoin[],
    outputs: readonly { key: AddressKey; amount: bigint }[],
  ): Promise<{ record: TxRecord; coins: HeldCoin[] }> {
    const body = this.body(
      coins,
      outputs.map((output) => ({ address: output.key.address, amount: output.amount })),
    );
    const keys = [...new Map(coins.map((coin) => [coin.key.address, coin.key])).values()];
    const record = await this.chaincode.transfer(body, signTransferBody(body, keys));
    return {
      record,
      coins: outputs.map((output, index) => ({
        txId: record.txId,
        index,
        amount: output.amount,
        key: output.key,
      })),
    };
  }

  /** Every unspent output of `address`, reading all pages. */
  unspent(address: string): Promise<Utxo[]> {
    return this.chaincode.unspent(address);
  }
}
