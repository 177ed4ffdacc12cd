import type { TxRecord, Utxo } from '@fabric-wallet/ccaas';
import {
  generateAddressKey,
  signTransferBody,
  sortOutpoints,
  type AddressKey,
  type Outpoint,
  type TransferBody,
} from '@fabric-wallet/ccaas/protocol';
import {
  connectGateway,
  errorText,
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

/** The token chaincode through a real peer gateway, as one Fabric identity. */
export class TokenClient {
  private readonly connection: GatewayConnection;

  constructor(
    endpoint: PeerEndpoint,
    identity: SigningIdentity,
    readonly channel = 'payments',
    readonly chaincode = 'token',
  ) {
    this.connection = connectGateway(endpoint, identity);
  }

  close(): void {
    this.connection.close();
  }

  private contract() {
    return this.connection.gateway.getNetwork(this.channel).getContract(this.chaincode);
  }

  /** Submits and waits for commit; a failure's message carries the peers' details (the chaincode's reason). */
  async submit(name: string, ...args: string[]): Promise<unknown> {
    try {
      return JSON.parse(decoder.decode(await this.contract().submitTransaction(name, ...args))) as unknown;
    } catch (error) {
      throw new Error(errorText(error), { cause: error });
    }
  }

  async evaluate(name: string, ...args: string[]): Promise<unknown> {
    try {
      return JSON.parse(decoder.decode(await this.contract().evaluateTransaction(name, ...args))) as unknown;
    } catch (error) {
      throw new Error(errorText(error), { cause: error });
    }
  }

  /** Mints `amounts` to fresh keys for order `orderId` (the caller must be an issuer). */
  async mint(orderId: string, ...amounts: bigint[]): Promise<HeldCoin[]> {
    const keys = amounts.map(() => generateAddressKey());
    const outputs = amounts.map((amount, i) => ({
      address: keys[i]?.address ?? '',
      amount: amount.toString(),
    }));
    const record = (await this.submit('Recharge', orderId, JSON.stringify(outputs))) as TxRecord;
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
      chaincode: this.chaincode,
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
    const record = (await this.submit(
      'Transfer',
      JSON.stringify(body),
      JSON.stringify(signTransferBody(body, keys)),
    )) as TxRecord;
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
  async unspent(address: string): Promise<Utxo[]> {
    const items: Utxo[] = [];
    let bookmark = '';
    do {
      const page = (await this.evaluate('ListUnspent', address, '100', bookmark)) as {
        items: Utxo[];
        bookmark: string;
      };
      items.push(...page.items);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    return items;
  }
}
