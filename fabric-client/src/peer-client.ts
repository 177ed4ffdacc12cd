import * as grpc from '@grpc/grpc-js';

/** How to reach a peer's gRPC endpoint over TLS. */
export interface PeerEndpoint {
  readonly address: string;
  /** The TLS CA that issued the peer's server certificate. */
  readonly tlsRootCert: string;
  /** Server name to verify (a SAN of its certificate), when the address is not one. */
  readonly hostOverride?: string;
}

/**
 * A gRPC client to a peer over TLS, the server verified against its TLS root (by
 * `hostOverride` when set): what the gateway, the admin calls and the API all dial with.
 * `options` adds channel options (message sizes, keepalive).
 */
export function peerClient(endpoint: PeerEndpoint, options: grpc.ClientOptions = {}): grpc.Client {
  return new grpc.Client(endpoint.address, grpc.credentials.createSsl(Buffer.from(endpoint.tlsRootCert)), {
    ...(endpoint.hostOverride ? { 'grpc.ssl_target_name_override': endpoint.hostOverride } : {}),
    ...options,
  });
}
