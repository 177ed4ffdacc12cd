export { connectGateway, type GatewayConnection } from './gateway.js';
export { readSigningIdentity, type SigningIdentity } from './identity.js';
export {
  commitReadiness,
  queryCommitted,
  validationParameter,
  type ChaincodeDefinition,
} from './lifecycle.js';
export { parsePolicy, PolicyError } from './policy.js';
export { PeerAdmin, ProposalError, type PeerEndpoint } from './peer-admin.js';
export { ccaasPackage } from './package.js';
export { channelOrdering } from './config-block.js';
export { channelInfo, type ChannelInfo, type OsnAdminEndpoint } from './osnadmin.js';
