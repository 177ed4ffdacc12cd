import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { KubeClient, loadKubeConfig } from '../kube/client.js';
import { loadOperatorConfig, OperatorConfigError } from '../kube/config.js';
import { Controller, controllerMetrics, errorMessage, PLURALS } from '../kube/controller.js';
import { LeaderElector } from '../kube/leader.js';

/**
 * The Kubernetes operator: validates its configuration, serves /healthz, /readyz and
 * /metrics, competes for the leader Lease, and runs the controller while it leads. Losing
 * the lease exits the process (the Deployment restarts it as a candidate), as client-go
 * operators do, so two leaders never act at once.
 */
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} [operator] ${line}\n`);

let config;
try {
  config = loadOperatorConfig(process.env);
} catch (error) {
  if (error instanceof OperatorConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const client = new KubeClient(loadKubeConfig(config.KUBECONFIG), PLURALS);
const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'fabric_wallet_operator_' });
const leaderGauge = new Gauge({
  name: 'fabric_wallet_operator_leader',
  help: '1 while this process holds the leader Lease.',
  registers: [registry],
});
const controller = new Controller(client, config, controllerMetrics(registry), log);
const identity = `${config.POD_NAME ?? 'operator'}-${randomBytes(4).toString('hex')}`;
const elector = new LeaderElector(client, {
  namespace: config.WATCH_NAMESPACE,
  name: config.LEASE_NAME,
  identity,
  leaseDurationSeconds: config.LEASE_DURATION_SECONDS,
  retryPeriodMs: config.LEASE_RETRY_MS,
  log,
});
let leading = false;

const [host, port] = [
  config.METRICS_ADDRESS.slice(0, config.METRICS_ADDRESS.lastIndexOf(':')),
  Number(config.METRICS_ADDRESS.slice(config.METRICS_ADDRESS.lastIndexOf(':') + 1)),
];
const server = createServer((req, res) => {
  const reply = (status: number, body: string, type = 'text/plain') => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  };
  if (req.url === '/healthz') reply(200, 'ok\n');
  else if (req.url === '/readyz')
    // A standby is ready (it can take over); a leader once its caches are filled.
    reply(
      !leading || controller.synced ? 200 : 503,
      leading ? (controller.synced ? 'leading\n' : 'syncing\n') : 'standby\n',
    );
  else if (req.url === '/metrics')
    registry.metrics().then(
      (text) => {
        reply(200, text, registry.contentType);
      },
      (error: unknown) => {
        reply(500, errorMessage(error));
      },
    );
  else reply(404, 'not found\n');
});
server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
  log(
    `health and metrics on http://${config.METRICS_ADDRESS} (/healthz /readyz /metrics); identity ${identity}`,
  );
});

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await controller.stop();
  await elector.stop();
  leaderGauge.set(0);
  server.close();
  await client.close();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

const start = async () => {
  if (!config.LEADER_ELECTION) {
    leading = true;
    leaderGauge.set(1);
    await controller.start();
    return;
  }
  await elector.run(
    () => {
      leading = true;
      leaderGauge.set(1);
      controller.start().catch((error: unknown) => {
        log(`controller failed to start: ${errorMessage(error)}`);
        void shutdown(1);
      });
    },
    () => {
      log('lost leadership; exiting so a single leader acts');
      void shutdown(1);
    },
  );
};
start().catch((error: unknown) => {
  log(`fatal: ${errorMessage(error)}`);
  void shutdown(1);
});
