// Loopback port helpers are the local runtime's; tests use the same ones.
export { freePort, waitForTcp as waitForPort } from '@fabric-wallet/operator/local';
