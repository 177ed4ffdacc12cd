/**
 * What both the operator and the API need from Fabric, without either's code: enrollment and
 * registration at a Fabric CA, the native ECDSA signer for the Fabric Gateway, a TLS gRPC
 * client to a peer, and the text of a Fabric/gRPC error.
 */
export { CaClient, CaError, type Enrolled, type RegisterRequest } from './ca.js';
export { createCsr, type Hosts } from './csr.js';
export { errorText } from './error-text.js';
export { newKeyPair } from './keys.js';
export { peerClient, type PeerEndpoint } from './peer-client.js';
export { nativeSigner } from './signer.js';
