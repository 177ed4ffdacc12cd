export { LocalNetwork, retry, type LocalNetworkOptions, type LocalOrg, type LocalPeer } from './network.js';
export { Supervisor, type SupervisorEvent } from './supervisor.js';
export { Layout } from './layout.js';
export { freePort, PortBook } from './ports.js';
export { waitForTcp } from './wait.js';
export { runLocalNetwork, type RunningNetwork, type RunOptions } from './run.js';
export { dataDirManifest, SAMPLE_MANIFEST } from './manifest.js';
