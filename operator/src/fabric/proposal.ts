import { createHash, randomBytes } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { nativeSigner } from '@fabric-wallet/fabric-client';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import type { SigningIdentity } from './identity.js';

/** The serialized creator of proposals and transactions: MSP id and PEM certificate. */
export function serializedIdentity(identity: SigningIdentity): Uint8Array {
  const creator = new msp.SerializedIdentity();
  creator.setMspid(identity.mspId);
  creator.setIdBytes(Buffer.from(identity.certificate));
  return creator.serializeBinary();
}

export interface ProposalRequest {
  readonly identity: SigningIdentity;
  /** '' for peer-level system calls (cscc JoinChain, _lifecycle InstallChaincode). */
  readonly channel: string;
  readonly chaincode: string;
  readonly args: readonly (string | Uint8Array)[];
  /** JoinChain is a CONFIG proposal; everything else an endorser transaction. */
  readonly headerType?: common.HeaderTypeMap[keyof common.HeaderTypeMap];
}

/**
 * A signed proposal as the peer CLI builds it: the transaction id is
 * hex(SHA-256(nonce || creator)), which the peer recomputes, and the signature is ECDSA over
 * SHA-256 of the proposal bytes, DER-encoded with low S.
 */
export async function signedProposal(
  request: ProposalRequest,
): Promise<{ signed: peer.SignedProposal; txId: string }> {
  const creator = serializedIdentity(request.identity);
  const nonce = randomBytes(24);
  const txId = createHash('sha256').update(nonce).update(creator).digest('hex');

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(request.chaincode);
  const extension = new peer.ChaincodeHeaderExtension();
  extension.setChaincodeId(chaincodeId);

  const timestamp = new timestampPb.Timestamp();
  const now = Date.now();
  timestamp.setSeconds(Math.floor(now / 1000));
  timestamp.setNanos((now % 1000) * 1_000_000);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(request.headerType ?? common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId(request.channel);
  channelHeader.setTxId(txId);
  channelHeader.setEpoch(0);
  channelHeader.setTimestamp(timestamp);
  channelHeader.setExtension$(extension.serializeBinary());

  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(nonce);

  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const input = new peer.ChaincodeInput();
  input.setArgsList(request.args.map((arg) => (typeof arg === 'string' ? Buffer.from(arg) : arg)));
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.GOLANG);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());

  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const proposalBytes = proposal.serializeBinary();

  const { signer } = nativeSigner(request.identity.privateKey);
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposalBytes);
  signed.setSignature(await signer(proposalBytes));
  return { signed, txId };
}
