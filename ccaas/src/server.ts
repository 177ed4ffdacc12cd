import { JSONSerializer } from 'fabric-contract-api';
import { Shim, type ChaincodeInterface, type ChaincodeServer } from 'fabric-shim';
// fabric-shim's own contract dispatcher (what `fabric-chaincode-node server` uses); untyped.
// @ts-expect-error -- no type declarations for this internal module
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract.js';
import type { ServerConfig } from './config.js';
import { AccountBenchContract } from './bench/account-contract.js';
import { contracts } from './index.js';

const ChaincodeFromContractClass = ChaincodeFromContract as new (
  contracts: unknown[],
  serializers: unknown,
  metadata: object,
  title: string,
  version: string,
) => ChaincodeInterface;

/** Serialisation as the contract API's default: our methods return canonical JSON strings. */
const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };

/** Starts the chaincode as a service: a gRPC server that peers connect to. */
export async function startChaincodeServer(config: ServerConfig): Promise<ChaincodeServer> {
  const chaincode = new ChaincodeFromContractClass(
    config.benchContracts ? [...contracts, AccountBenchContract] : contracts,
    serializers,
    {},
    'fabric-wallet-token',
    '0.1.0',
  );
  const tlsProps = config.tls && {
    key: config.tls.key,
    cert: config.tls.cert,
    ...(config.tls.clientCa ? { clientCACerts: config.tls.clientCa } : {}),
  };
  // tlsProps is optional at run time (plain gRPC), though the typings require it.
  const server = Shim.server(chaincode, {
    ccid: config.chaincodeId,
    address: config.address,
    ...(tlsProps ? { tlsProps } : {}),
  } as Parameters<typeof Shim.server>[1]);
  await server.start();
  return server;
}

/**
 * Stops the server's gRPC listener. fabric-shim's ChaincodeServer has no stop method; its
 * grpc-js server is the `_server` field, checked here before use.
 */
export function stopChaincodeServer(server: ChaincodeServer): void {
  const inner = (server as unknown as { _server?: { forceShutdown?: () => void } })._server;
  if (typeof inner?.forceShutdown !== 'function')
    throw new Error('fabric-shim ChaincodeServer has no _server to stop');
  inner.forceShutdown();
}
