export { up, down, load, status, leftovers, kubectl, readState } from './cluster.js';
export { NODE, layout, defaultRoot, type Layout, type ClusterState } from './layout.js';
export { claimsToProvision, volumeDir } from './provisioner.js';
