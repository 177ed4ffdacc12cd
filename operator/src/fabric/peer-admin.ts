import * as grpc from '@grpc/grpc-js';
import { common, peer } from '@hyperledger/fabric-protos';
import { peerClient, type PeerEndpoint } from '@fabric-wallet/fabric-client';
import type { SigningIdentity } from './identity.js';
import { signedProposal, type ProposalRequest } from './proposal.js';

export type { PeerEndpoint };

/** A peer refused a proposal; `status` and the peer's message say why. */
export class ProposalError extends Error {
  override readonly name = 'ProposalError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const deadlineMs = 120_000;

/**
 * Administration of one peer through its Endorser service, as the peer CLI does it, for the
 * calls that are not channel transactions: cscc (join, list channels), qscc (heights) and
 * _lifecycle's peer-local InstallChaincode / QueryInstalledChaincodes.
 */
export class PeerAdmin {
  private readonly client: grpc.Client;

  constructor(
    readonly endpoint: PeerEndpoint,
    private readonly admin: SigningIdentity,
  ) {
    this.client = peerClient(endpoint, {
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
    });
  }

  close(): void {
    this.client.close();
  }

  /** Sends a proposal and returns the response payload; throws ProposalError unless status is 200. */
  async call(request: Omit<ProposalRequest, 'identity'>): Promise<Uint8Array> {
    const { signed } = await signedProposal({ ...request, identity: this.admin });
    const response = await new Promise<peer.ProposalResponse>((resolve, reject) => {
      this.client.makeUnaryRequest(
        '/protos.Endorser/ProcessProposal',
        (message: peer.SignedProposal) => Buffer.from(message.serializeBinary()),
        (bytes: Buffer) => peer.ProposalResponse.deserializeBinary(bytes),
        signed,
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error, value) => {
          if (error)
            reject(
              new ProposalError(
                `${request.chaincode} ${String(request.args[0])} at ${this.endpoint.address}: ${error.message}`,
                -1,
              ),
            );
          else if (value) resolve(value);
          else
            reject(
              new ProposalError(`${request.chaincode}: empty response from ${this.endpoint.address}`, -1),
            );
        },
      );
    });
    const status = response.getResponse()?.getStatus() ?? 0;
    if (status !== 200) {
      const message = response.getResponse()?.getMessage() ?? 'no message';
      throw new ProposalError(
        `${request.chaincode} ${String(request.args[0])} at ${this.endpoint.address}: ${status} ${message}`,
        status,
      );
    }
    return response.getResponse()?.getPayload_asU8() ?? new Uint8Array();
  }

  /** Joins the peer to the channel whose genesis (or latest config) block is given. */
  async joinChannel(block: Uint8Array): Promise<void> {
    await this.call({
      channel: '',
      chaincode: 'cscc',
      args: ['JoinChain', block],
      headerType: common.HeaderType.CONFIG,
    });
  }

  /** Channels the peer has joined. */
  async channels(): Promise<string[]> {
    const payload = await this.call({ channel: '', chaincode: 'cscc', args: ['GetChannels'] });
    return peer.ChannelQueryResponse.deserializeBinary(payload)
      .getChannelsList()
      .map((channel) => channel.getChannelId());
  }

  /** The peer's block height on a channel. */
  async height(channel: string): Promise<number> {
    const payload = await this.call({ channel: '', chaincode: 'qscc', args: ['GetChainInfo', channel] });
    return common.BlockchainInfo.deserializeBinary(payload).getHeight();
  }

  /** Installs a chaincode package; returns its package id. Installing the same bytes again is a no-op. */
  async install(packageBytes: Uint8Array): Promise<string> {
    const args = new peer.lifecycle.InstallChaincodeArgs();
    args.setChaincodeInstallPackage(packageBytes);
    try {
      const payload = await this.call({
        channel: '',
        chaincode: '_lifecycle',
        args: ['InstallChaincode', args.serializeBinary()],
      });
      return peer.lifecycle.InstallChaincodeResult.deserializeBinary(payload).getPackageId();
    } catch (error) {
      const match =
        error instanceof ProposalError
          ? /chaincode already successfully installed \(package ID '([^']+)'\)/.exec(error.message)
          : null;
      if (match?.[1]) return match[1];
      throw error;
    }
  }

  /** Package ids installed on the peer. */
  async installed(): Promise<string[]> {
    const args = new peer.lifecycle.QueryInstalledChaincodesArgs();
    const payload = await this.call({
      channel: '',
      chaincode: '_lifecycle',
      args: ['QueryInstalledChaincodes', args.serializeBinary()],
    });
    return peer.lifecycle.QueryInstalledChaincodesResult.deserializeBinary(payload)
      .getInstalledChaincodesList()
      .map((chaincode) => chaincode.getPackageId());
  }
}
