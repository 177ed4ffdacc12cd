import { ConfigError, configFromEnv } from './config.js';
import { startChaincodeServer, stopChaincodeServer } from './server.js';

/** Entry point of the chaincode container/process: config from the environment, then serve. */
try {
  const config = configFromEnv(process.env);
  const server = await startChaincodeServer(config);
  // The chaincode keeps no state of its own (the ledger is the peers'), so stopping is
  // closing the listener and exiting.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopChaincodeServer(server);
      process.exit(0);
    });
  }
  process.stdout.write(
    `fabric-wallet chaincode ${config.chaincodeId} listening on ${config.address}${config.tls ? ' (TLS)' : ''}\n`,
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `chaincode server failed to start: ${String(error)}`}\n`,
  );
  process.exit(1);
}
