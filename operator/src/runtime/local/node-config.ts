import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Consensus } from '../../fabric/configtx.js';
import { ccaasBuilderDir, fabricConfigDir } from '../../tools/paths.js';

/**
 * A peer's FABRIC_CFG_PATH: Fabric's sample core.yaml with chaincode.externalBuilders
 * pointing at this project's CCaaS builder (a list, which environment variables cannot
 * override). Everything else is set through CORE_* variables.
 */
export async function writePeerConfig(dir: string): Promise<void> {
  const document = parseDocument(await readFile(join(fabricConfigDir(), 'core.yaml'), 'utf8'));
  document.setIn(
    ['chaincode', 'externalBuilders'],
    [
      {
        name: 'fabric-wallet-ccaas',
        path: ccaasBuilderDir(),
        propagateEnvironment: ['CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG'],
      },
    ],
  );
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'core.yaml'), document.toString());
}

/** An orderer's FABRIC_CFG_PATH: the sample orderer.yaml, overridden by ORDERER_* variables. */
export async function writeOrdererConfig(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'orderer.yaml'), await readFile(join(fabricConfigDir(), 'orderer.yaml'), 'utf8'));
}

/** Environment of an orderer process (channel participation, no system channel, mTLS admin). */
export function ordererEnv(
  node: string,
  ports: { listen: number; admin: number; operations: number },
  mspId: string,
  consensus: Consensus,
): Record<string, string> {
  // Raft keeps the folder name earlier data dirs have; SmartBFT writes its WAL under its own.
  const consensusDir = join(node, 'data', consensus === 'BFT' ? 'smartbft' : 'etcdraft');
  const tls = (file: string) => join(node, 'tls', file);
  return {
    FABRIC_CFG_PATH: join(node, 'config'),
    ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
    ORDERER_GENERAL_LISTENPORT: String(ports.listen),
    ORDERER_GENERAL_LOCALMSPID: mspId,
    ORDERER_GENERAL_LOCALMSPDIR: join(node, 'msp'),
    ORDERER_GENERAL_TLS_ENABLED: 'true',
    ORDERER_GENERAL_TLS_PRIVATEKEY: tls('server.key'),
    ORDERER_GENERAL_TLS_CERTIFICATE: tls('server.crt'),
    ORDERER_GENERAL_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls('server.crt'),
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls('server.key'),
    ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tls('ca.crt')}]`,
    ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
    ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
    ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${ports.admin}`,
    ORDERER_ADMIN_TLS_ENABLED: 'true',
    ORDERER_ADMIN_TLS_PRIVATEKEY: tls('server.key'),
    ORDERER_ADMIN_TLS_CERTIFICATE: tls('server.crt'),
    ORDERER_ADMIN_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tls('ca.crt')}]`,
    ORDERER_FILELEDGER_LOCATION: join(node, 'data', 'ledger'),
    ORDERER_CONSENSUS_WALDIR: join(consensusDir, 'wal'),
    ORDERER_CONSENSUS_SNAPDIR: join(consensusDir, 'snapshot'),
    ORDERER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${ports.operations}`,
    ORDERER_METRICS_PROVIDER: 'prometheus',
  };
}

/** Environment of a peer process (gateway on, LevelDB state, CCaaS builder, TLS). */
export function peerEnv(
  name: string,
  node: string,
  ports: { listen: number; chaincode: number; operations: number },
  mspId: string,
  gossipBootstrap: string,
): Record<string, string> {
  const address = `127.0.0.1:${ports.listen}`;
  return {
    FABRIC_CFG_PATH: join(node, 'config'),
    CORE_PEER_ID: name,
    CORE_PEER_ADDRESS: address,
    CORE_PEER_LISTENADDRESS: address,
    CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${ports.chaincode}`,
    CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${ports.chaincode}`,
    CORE_PEER_GOSSIP_BOOTSTRAP: gossipBootstrap,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: address,
    // How soon gossip retries an unreachable anchor peer (Fabric's default is 25 s). Peers
    // join a new channel at about the same time, and a peer that dials another org's anchor
    // before it trusts that org's TLS root (from the channel config) fails; with 25 s the
    // gateway cannot reach that org for endorsements until the retry (seen: 30 s commits).
    CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
    CORE_PEER_LOCALMSPID: mspId,
    CORE_PEER_MSPCONFIGPATH: join(node, 'msp'),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CERT_FILE: join(node, 'tls', 'server.crt'),
    CORE_PEER_TLS_KEY_FILE: join(node, 'tls', 'server.key'),
    CORE_PEER_TLS_ROOTCERT_FILE: join(node, 'tls', 'ca.crt'),
    CORE_PEER_FILESYSTEMPATH: join(node, 'data'),
    CORE_PEER_GATEWAY_ENABLED: 'true',
    CORE_LEDGER_STATE_STATEDATABASE: 'goleveldb',
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(node, 'data', 'snapshots'),
    CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${ports.operations}`,
    CORE_METRICS_PROVIDER: 'prometheus',
    // No Docker: chaincode runs only through the external (CCaaS) builder.
    CORE_VM_ENDPOINT: '',
    CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: JSON.stringify({ peername: name }),
  };
}
