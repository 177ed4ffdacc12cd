import type { FabricCA, FabricChaincode, FabricOrdererSet, FabricPeerSet } from '../api/v1alpha1/types.js';
import type { KubeObject } from './client.js';
import type { OperatorConfig } from './config.js';
import {
  containerSecurity,
  deployment,
  env,
  httpProbe,
  IDENTITY_ANNOTATION,
  identitySecretName,
  labels,
  meta,
  nodeName,
  PORTS,
  pvc,
  service,
  serviceHost,
} from './objects.js';

/**
 * The workloads each resource owns (objects.ts has the shared building blocks):
 *   FabricCA x       -> Deployment/Service x, PVC x-data, Secret x-ca (roots, TLS, bootstrap)
 *   FabricPeerSet x  -> per ordinal i: Deployment/Service x-i, PVC x-i-data, Secret x-i-identity
 *   FabricOrdererSet -> the same as a peer set
 *   FabricChaincode x-> Deployment/Service x-ccaas (the chaincode server the peers dial)
 */

/** Keys of a CA's Secret. */
export const CA_SECRET_KEYS = [
  'ca-cert.pem',
  'ca-key.pem',
  'ca-tls.crt',
  'ca-tls.key',
  'tlsca-cert.pem',
  'tlsca-key.pem',
  'tlsca-tls.crt',
  'tlsca-tls.key',
  'boot',
] as const;

export const caSecretName = (ca: FabricCA) => `${ca.metadata.name}-ca`;

/** The name each fabric-ca-server of a FabricCA answers to (requests name it: --ca.name). */
export const caServerName = (caName: string, which: 'ca' | 'tlsca') => `${caName}-${which}`;

/** The CA's two fabric-ca-server containers (enrollment CA, TLS CA), Service and PVC. */
export function caObjects(ca: FabricCA, config: OperatorConfig): KubeObject[] {
  const name = ca.metadata.name;
  const objectLabels = labels(ca, 'fabric-ca', name);
  const server = (which: 'ca' | 'tlsca', port: number, operationsPort: number) => ({
    name: which,
    image: config.CA_IMAGE,
    command: ['fabric-ca-server'],
    args: [
      'start',
      `--home=/var/hyperledger/fabric-ca/${which}`,
      `--port=${String(port)}`,
      `--ca.name=${caServerName(name, which)}`,
      `--ca.certfile=/etc/fabric-ca/keys/${which}-cert.pem`,
      `--ca.keyfile=/etc/fabric-ca/keys/${which}-key.pem`,
      '--tls.enabled',
      `--tls.certfile=/etc/fabric-ca/keys/${which}-tls.crt`,
      `--tls.keyfile=/etc/fabric-ca/keys/${which}-tls.key`,
      `--operations.listenaddress=0.0.0.0:${String(operationsPort)}`,
    ],
    env: [
      // The bootstrap admin "admin:<secret>", from the Secret, never on the command line.
      { name: 'FABRIC_CA_SERVER_BOOT', valueFrom: { secretKeyRef: { name: caSecretName(ca), key: 'boot' } } },
      { name: 'FABRIC_CA_SERVER_CSR_NAMES_0_O', value: ca.spec.org },
    ],
    ports: [
      { name: which, containerPort: port },
      { name: `${which}-ops`, containerPort: operationsPort },
    ],
    // Ready when the CA itself answers: its operations endpoint serves before the CA listens,
    // and the operator enrolls as soon as the pod is available (seen on a real node).
    readinessProbe: {
      httpGet: { path: '/cainfo', port, scheme: 'HTTPS' },
      periodSeconds: 5,
      timeoutSeconds: 3,
    },
    livenessProbe: { ...httpProbe(operationsPort), initialDelaySeconds: 20 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: containerSecurity,
    volumeMounts: [
      { name: 'data', mountPath: '/var/hyperledger/fabric-ca' },
      { name: 'keys', mountPath: '/etc/fabric-ca/keys', readOnly: true },
    ],
  });
  return [
    pvc(ca, `${name}-data`, objectLabels, config.CA_STORAGE, config),
    service(ca, name, objectLabels, { ca: PORTS.ca, tlsca: PORTS.tlsca, operations: PORTS.caOperations }),
    deployment(ca, name, objectLabels, {
      containers: [
        server('ca', PORTS.ca, PORTS.caOperations),
        server('tlsca', PORTS.tlsca, PORTS.caOperations + 1),
      ],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: `${name}-data` } },
        { name: 'keys', secret: { secretName: caSecretName(ca), defaultMode: 0o400 } },
      ],
    }),
  ];
}

/**
 * The CA's root certificates, public, in a ConfigMap <name>-certs (ca.pem, tlsca.pem): what
 * clients such as the API mount to trust the CA and the org's TLS endpoints, so they never
 * mount the Secret that holds the CA keys.
 */
export function caPublicCertificates(ca: FabricCA, caCert: string, tlsCaCert: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(ca, `${ca.metadata.name}-certs`, labels(ca, 'fabric-ca', ca.metadata.name)),
    data: { 'ca.pem': caCert, 'tlsca.pem': tlsCaCert },
  };
}

/** Where a node's identity Secret is mounted, as MSP and TLS directories. */
const IDENTITY_ITEMS = [
  { key: 'ca.pem', path: 'msp/cacerts/ca.pem' },
  { key: 'tlsca.pem', path: 'msp/tlscacerts/tlsca.pem' },
  { key: 'config.yaml', path: 'msp/config.yaml' },
  { key: 'cert.pem', path: 'msp/signcerts/cert.pem' },
  { key: 'key.pem', path: 'msp/keystore/key.pem' },
  { key: 'tls.crt', path: 'tls/server.crt' },
  { key: 'tls.key', path: 'tls/server.key' },
  { key: 'tlsca.pem', path: 'tls/ca.crt' },
];

const identityVolume = (node: string) => ({
  name: 'identity',
  secret: { secretName: identitySecretName(node), items: IDENTITY_ITEMS, defaultMode: 0o400 },
});

/** Where a node's container mounts its ledger (PVC) and its identity (Secret). */
const NODE_MOUNTS = [
  { name: 'data', mountPath: '/var/hyperledger/production' },
  { name: 'identity', mountPath: '/etc/hyperledger/identity', readOnly: true },
];

/**
 * A node's objects, the same for peers and orderers: its PVC, Service and one-pod Deployment;
 * the pod template says whether its identity Secret exists yet, so issuing it replaces the pod.
 */
function nodeWorkload(
  set: FabricPeerSet | FabricOrdererSet,
  name: string,
  objectLabels: Record<string, string>,
  container: object,
  identityIssued: boolean,
  storage: string,
  config: OperatorConfig,
  ports: Record<string, number>,
): KubeObject[] {
  return [
    pvc(set, `${name}-data`, objectLabels, storage, config),
    service(set, name, objectLabels, ports),
    deployment(set, name, objectLabels, {
      containers: [container],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${name}-data` } }, identityVolume(name)],
      annotations: { [IDENTITY_ANNOTATION]: identityIssued ? 'issued' : 'pending' },
    }),
  ];
}

/** One peer: Deployment (one pod, Recreate), Service, PVC. */
export function peerObjects(
  set: FabricPeerSet,
  ordinal: number,
  mspId: string,
  config: OperatorConfig,
  identityIssued = true,
): KubeObject[] {
  const name = nodeName(set, ordinal);
  const namespace = set.metadata.namespace ?? 'default';
  const objectLabels = labels(set, 'fabric-peer', name, ordinal);
  const address = `${serviceHost(name, namespace, config)}:${String(PORTS.peer)}`;
  const bootstrap = `${serviceHost(nodeName(set, 0), namespace, config)}:${String(PORTS.peer)}`;
  const container = {
    name: 'peer',
    image: config.PEER_IMAGE,
    args: ['peer', 'node', 'start'],
    env: env({
      CORE_PEER_ID: name,
      CORE_PEER_ADDRESS: address,
      CORE_PEER_LISTENADDRESS: `0.0.0.0:${String(PORTS.peer)}`,
      CORE_PEER_CHAINCODELISTENADDRESS: `0.0.0.0:${String(PORTS.peerChaincode)}`,
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: address,
      // Retry an unreachable anchor peer after 5 s, not Fabric's 25 s (see node-config.ts).
      CORE_PEER_GOSSIP_RECONNECTINTERVAL: '5s',
      CORE_PEER_GOSSIP_BOOTSTRAP: bootstrap,
      CORE_PEER_LOCALMSPID: mspId,
      CORE_PEER_MSPCONFIGPATH: '/etc/hyperledger/identity/msp',
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: '/etc/hyperledger/identity/tls/server.crt',
      CORE_PEER_TLS_KEY_FILE: '/etc/hyperledger/identity/tls/server.key',
      CORE_PEER_TLS_ROOTCERT_FILE: '/etc/hyperledger/identity/tls/ca.crt',
      CORE_PEER_FILESYSTEMPATH: '/var/hyperledger/production',
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: '/var/hyperledger/production/snapshots',
      CORE_OPERATIONS_LISTENADDRESS: `0.0.0.0:${String(PORTS.operations)}`,
      CORE_METRICS_PROVIDER: 'prometheus',
      // No Docker: chaincode runs only through the external (CCaaS) builder. Left to core.yaml's
      // default (the Docker socket), the peer's /healthz answers 503 and the liveness probe
      // restarts it forever (seen on a real node); the local runtime sets the same.
      CORE_VM_ENDPOINT: '',
      CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: JSON.stringify({ peername: name }),
    }),
    ports: [
      { name: 'grpc', containerPort: PORTS.peer },
      { name: 'chaincode', containerPort: PORTS.peerChaincode },
      { name: 'operations', containerPort: PORTS.operations },
    ],
    readinessProbe: httpProbe(PORTS.operations),
    livenessProbe: { ...httpProbe(PORTS.operations), initialDelaySeconds: 30 },
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    securityContext: containerSecurity,
    volumeMounts: NODE_MOUNTS,
  };
  return nodeWorkload(set, name, objectLabels, container, identityIssued, config.PEER_STORAGE, config, {
    grpc: PORTS.peer,
    chaincode: PORTS.peerChaincode,
    operations: PORTS.operations,
  });
}

/** One orderer: channel participation API on, no system channel, mutual TLS for its admin. */
export function ordererObjects(
  set: FabricOrdererSet,
  ordinal: number,
  mspId: string,
  config: OperatorConfig,
  identityIssued = true,
): KubeObject[] {
  const name = nodeName(set, ordinal);
  const objectLabels = labels(set, 'fabric-orderer', name, ordinal);
  const tls = '/etc/hyperledger/identity/tls';
  const consensusDir = set.spec.consensus === 'BFT' ? 'smartbft' : 'etcdraft';
  const container = {
    name: 'orderer',
    image: config.ORDERER_IMAGE,
    args: ['orderer'],
    env: env({
      ORDERER_GENERAL_LISTENADDRESS: '0.0.0.0',
      ORDERER_GENERAL_LISTENPORT: String(PORTS.orderer),
      ORDERER_GENERAL_LOCALMSPID: mspId,
      ORDERER_GENERAL_LOCALMSPDIR: '/etc/hyperledger/identity/msp',
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_CERTIFICATE: `${tls}/server.crt`,
      ORDERER_GENERAL_TLS_PRIVATEKEY: `${tls}/server.key`,
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tls}/ca.crt]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: `${tls}/server.crt`,
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: `${tls}/server.key`,
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tls}/ca.crt]`,
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: `0.0.0.0:${String(PORTS.ordererAdmin)}`,
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_CERTIFICATE: `${tls}/server.crt`,
      ORDERER_ADMIN_TLS_PRIVATEKEY: `${tls}/server.key`,
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tls}/ca.crt]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tls}/ca.crt]`,
      ORDERER_FILELEDGER_LOCATION: '/var/hyperledger/production/orderer',
      ORDERER_CONSENSUS_WALDIR: `/var/hyperledger/production/orderer/${consensusDir}/wal`,
      ORDERER_CONSENSUS_SNAPDIR: `/var/hyperledger/production/orderer/${consensusDir}/snapshot`,
      ORDERER_OPERATIONS_LISTENADDRESS: `0.0.0.0:${String(PORTS.ordererOperations)}`,
      ORDERER_METRICS_PROVIDER: 'prometheus',
    }),
    ports: [
      { name: 'grpc', containerPort: PORTS.orderer },
      { name: 'admin', containerPort: PORTS.ordererAdmin },
      { name: 'operations', containerPort: PORTS.ordererOperations },
    ],
    readinessProbe: httpProbe(PORTS.ordererOperations),
    livenessProbe: { ...httpProbe(PORTS.ordererOperations), initialDelaySeconds: 30 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: containerSecurity,
    volumeMounts: NODE_MOUNTS,
  };
  return nodeWorkload(set, name, objectLabels, container, identityIssued, config.ORDERER_STORAGE, config, {
    grpc: PORTS.orderer,
    admin: PORTS.ordererAdmin,
    operations: PORTS.ordererOperations,
  });
}

export const chaincodeServiceName = (chaincode: FabricChaincode) => `${chaincode.metadata.name}-ccaas`;

/** host:port the peers dial for this chaincode: goes into the package's connection.json. */
export function chaincodeAddress(chaincode: FabricChaincode, config: OperatorConfig): string {
  const namespace = chaincode.metadata.namespace ?? 'default';
  return `${serviceHost(chaincodeServiceName(chaincode), namespace, config)}:${String(chaincode.spec.server.port)}`;
}

/** The chaincode server (CCaaS): a Deployment whose CHAINCODE_ID is the package id, and its Service. */
export const chaincodeTlsSecretName = (chaincode: FabricChaincode) =>
  `${chaincodeServiceName(chaincode)}-tls`;

export function chaincodeObjects(
  chaincode: FabricChaincode,
  packageId: string,
  issuerMspIds: readonly string[],
  config: OperatorConfig,
): KubeObject[] {
  const name = chaincodeServiceName(chaincode);
  const port = chaincode.spec.server.port;
  const objectLabels = labels(chaincode, 'fabric-chaincode', name);
  const container = {
    name: 'chaincode',
    image: chaincode.spec.server.image ?? config.CHAINCODE_IMAGE,
    env: env({
      CHAINCODE_SERVER_ADDRESS: `0.0.0.0:${String(port)}`,
      CHAINCODE_ID: packageId,
      WALLET_CHAINCODE_NAME: chaincode.metadata.name,
      ...(issuerMspIds.length > 0 ? { WALLET_ISSUER_MSP_IDS: issuerMspIds.join(',') } : {}),
      // fabric-shim logs a line per transaction at info: CPU and disk for nothing under load.
      CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
      // Mutual TLS with the peers: the operator's Secret <name>-tls (see createChaincodeTls).
      CHAINCODE_TLS_KEY_FILE: '/etc/chaincode/tls/server.key',
      CHAINCODE_TLS_CERT_FILE: '/etc/chaincode/tls/server.crt',
      CHAINCODE_TLS_CLIENT_CA_FILE: '/etc/chaincode/tls/ca.pem',
    }),
    ports: [{ name: 'grpc', containerPort: port }],
    volumeMounts: [{ name: 'tls', mountPath: '/etc/chaincode/tls', readOnly: true }],
    readinessProbe: { tcpSocket: { port }, periodSeconds: 10 },
    livenessProbe: { tcpSocket: { port }, periodSeconds: 20, initialDelaySeconds: 10 },
    resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } },
    securityContext: { ...containerSecurity, runAsNonRoot: true, readOnlyRootFilesystem: true },
  };
  return [
    service(chaincode, name, objectLabels, { grpc: port }),
    deployment(chaincode, name, objectLabels, {
      replicas: chaincode.spec.server.replicas,
      containers: [container],
      volumes: [
        {
          name: 'tls',
          secret: {
            secretName: chaincodeTlsSecretName(chaincode),
            defaultMode: 0o440,
            items: ['server.key', 'server.crt', 'ca.pem'].map((key) => ({ key, path: key })),
          },
        },
      ],
    }),
  ];
}
