import { connect, type Gateway } from '@hyperledger/fabric-gateway';
import { nativeSigner, peerClient } from '@fabric-wallet/fabric-client';
import type { SigningIdentity } from './identity.js';
import type { PeerEndpoint } from './peer-admin.js';

/** A connected gateway and the gRPC client under it; close both with close(). */
export interface GatewayConnection {
  readonly gateway: Gateway;
  close(): void;
}

/** Connects to a peer's gateway service as `identity`, over TLS, with bounded deadlines. */
export function connectGateway(endpoint: PeerEndpoint, identity: SigningIdentity): GatewayConnection {
  const client = peerClient(endpoint);
  const gateway = connect({
    client,
    identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
    ...nativeSigner(identity.privateKey),
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 60_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 120_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
