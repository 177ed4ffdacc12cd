import { ConfigError } from '../config.js';
import { apiConfigFromEnv } from '../env-config.js';
import { createLogger } from '../logger.js';
import { runApi } from '../serve.js';

/**
 * The API as a container runs it (Helm chart, Kubernetes): configuration from the
 * environment and mounted Secrets (see env-config.ts), JSON logs, SIGTERM drains and exits.
 */
const logger = createLogger();
let config;
try {
  config = apiConfigFromEnv(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const api = await runApi(config, logger);
logger.info({ host: config.host, port: config.port }, 'API listening');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await api.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
