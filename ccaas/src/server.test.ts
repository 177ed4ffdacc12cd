import { once } from 'node:events';
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from './config.js';
import { startChaincodeServer, stopChaincodeServer } from './server.js';

const chaincodeId = `token_1.0:${'ab'.repeat(32)}`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the chaincode server', () => {
  let port: number;
  let server: Awaited<ReturnType<typeof startChaincodeServer>>;

  beforeAll(async () => {
    port = await freePort();
    server = await startChaincodeServer(
      configFromEnv({ CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${port}`, CHAINCODE_ID: chaincodeId }),
    );
  });

  afterAll(() => {
    stopChaincodeServer(server);
  });

  it('accepts a peer connection on a loopback port and registers itself under its package id', async () => {
    // A plain gRPC client on the chaincode service path, as a peer dials a CCaaS server.
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const stream = client.makeBidiStreamRequest(
      '/protos.Chaincode/Connect',
      (message: peer.ChaincodeMessage) => Buffer.from(message.serializeBinary()),
      (bytes: Buffer) => peer.ChaincodeMessage.deserializeBinary(bytes),
    );

    const [message] = (await once(stream, 'data')) as [peer.ChaincodeMessage];

    expect(message.getType()).toBe(peer.ChaincodeMessage.Type.REGISTER);
    expect(peer.ChaincodeID.deserializeBinary(message.getPayload_asU8()).getName()).toBe(chaincodeId);
    stream.on('error', () => undefined); // the cancel below ends the call with CANCELLED
    stream.cancel();
    client.close();
  });
});

describe('configFromEnv', () => {
  it('reads the address and package id', () => {
    const config = configFromEnv({ CHAINCODE_SERVER_ADDRESS: '0.0.0.0:9999', CHAINCODE_ID: chaincodeId });

    expect(config).toEqual({ address: '0.0.0.0:9999', chaincodeId, benchContracts: false });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('serves the benchmark-only contract only when asked for by name', () => {
    const base = { CHAINCODE_SERVER_ADDRESS: '0.0.0.0:9999', CHAINCODE_ID: chaincodeId };

    expect(configFromEnv({ ...base, WALLET_BENCH_CONTRACTS: 'account-model' }).benchContracts).toBe(true);
    expect(() => configFromEnv({ ...base, WALLET_BENCH_CONTRACTS: 'yes' })).toThrow(
      /WALLET_BENCH_CONTRACTS must be empty or account-model/,
    );
  });

  it('reports every invalid field at once', () => {
    let error: unknown;
    try {
      configFromEnv({ CHAINCODE_ID: 'token', CHAINCODE_TLS_KEY_FILE: '/nonexistent/key.pem' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('CHAINCODE_SERVER_ADDRESS must be host:port');
    expect(problems).toContain('CHAINCODE_ID must be <label>:<64 hex digits>');
    expect(problems).toContain('CHAINCODE_TLS_KEY_FILE: cannot read /nonexistent/key.pem (ENOENT)');
    expect(problems).toContain('TLS needs both');
  });
});
