import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VaultKeyring } from '@fabric-wallet/api';
import { parseNetwork } from '@fabric-wallet/operator/api';
import {
  LocalNetwork,
  waitForTcp,
  type Supervisor,
  type SupervisorEvent,
} from '@fabric-wallet/operator/local';
import { prepareOuterDb, repoRoot } from '@fabric-wallet/operator/tools';
import { entrypointEnv, entrypointScript } from './entrypoint-env.js';
import { tempDir, type TempDir } from './temp.js';
import { until } from './until.js';

/** A supervisor event and when it came (ms since the epoch). */
export interface TimedEvent {
  readonly atMs: number;
  readonly event: SupervisorEvent;
}

/** The outer DB's database name, as `npm start` names it. */
const DB_NAME = 'fabric-wallet';

/**
 * The whole system as separate processes under one supervisor, as an orchestrator runs it:
 * the Fabric network of manifests/local/network.yaml (CAs, orderer, peers, chaincode
 * servers), PostgreSQL and FerretDB (the outer DB), and the API from its container
 * entrypoint (`serve.js`, configured by environment and mounted files). The supervisor
 * restarts any of them that dies, with backoff, as Kubernetes restarts a container; the fault
 * suite kills them with SIGKILL and watches them come back.
 */
export class SupervisedSystem {
  private constructor(
    private readonly dir: TempDir,
    /** Every start, exit and give-up the supervisor reported, with when (ms since the epoch). */
    readonly events: readonly TimedEvent[],
    readonly network: LocalNetwork,
    /** The API's URL. */
    readonly base: string,
    /** The outer DB (FerretDB) as the API reaches it. */
    readonly mongodbUri: string,
  ) {}

  get supervisor(): Supervisor {
    return this.network.supervisor;
  }

  /** The local network's data dir (ports.json, orgs/, logs/). */
  get dataDir(): string {
    return this.network.layout.root;
  }

  /**
   * Starts everything in a fresh temporary directory; `progress` gets a line per phase.
   * `apiEnv` is added to the API's environment (diagnostics: GRPC_TRACE, NODE_OPTIONS...).
   */
  static async start(
    name: string,
    progress: (line: string) => void,
    apiEnv: Readonly<Record<string, string>> = {},
  ): Promise<SupervisedSystem> {
    const dir = await tempDir(name);
    const events: TimedEvent[] = [];
    const network = new LocalNetwork({
      dataDir: join(dir.path, 'network'),
      network: parseNetwork(await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8')),
      log: (line) => {
        if (!line.startsWith(' ')) progress(line);
      },
      onProcessEvent: (event) => events.push({ atMs: Date.now(), event }),
    });
    try {
      await network.up();
      const supervisor = network.supervisor;
      const log = (process: string) => network.layout.log(process);

      const ports = { postgres: await network.port('postgres'), ferretdb: await network.port('ferretdb') };
      const outer = await prepareOuterDb(join(dir.path, 'outer-db'), ports);
      supervisor.ensure({ ...outer.postgres, logFile: log('postgres') });
      await waitForTcp(ports.postgres, 60_000, () => supervisor.isRunning('postgres'));
      await outer.initialise();
      supervisor.ensure({ ...outer.ferretdb, logFile: log('ferretdb') });
      await waitForTcp(ports.ferretdb, 30_000, () => supervisor.isRunning('ferretdb'));
      progress('outer DB (PostgreSQL + FerretDB) up');

      const adminTokenFile = join(dir.path, 'api-admin-token');
      const vaultKeysFile = join(dir.path, 'api-vault-keys');
      await writeFile(adminTokenFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
      await writeFile(vaultKeysFile, VaultKeyring.generate(), { mode: 0o600 });
      const port = await network.port('api');
      const env = await entrypointEnv({
        dataDir: network.layout.root,
        mountDir: join(dir.path, 'mounts'),
        port,
        mongodbUri: outer.uri,
        dbName: DB_NAME,
        adminTokenFile,
        vaultKeysFile,
        development: true,
      });
      supervisor.ensure({
        name: 'api',
        command: process.execPath,
        args: [entrypointScript],
        // The clients are many users behind one address: no per-client rate limits.
        env: { PATH: process.env.PATH ?? '', ...env, API_RATE_LIMITS: 'off', ...apiEnv },
        cwd: repoRoot,
        logFile: log('api'),
      });
      const base = `http://127.0.0.1:${String(port)}`;
      await until(
        'the API is ready',
        async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
        90_000,
      );
      progress(`API up on ${base} (serve.js, pid ${String(supervisor.pid('api'))})`);
      return new SupervisedSystem(dir, events, network, base, outer.uri);
    } catch (error) {
      await network.down();
      await dir.remove();
      throw error;
    }
  }

  /** The database the API uses, by name. */
  get dbName(): string {
    return DB_NAME;
  }

  /**
   * Kills the supervised process `name` ("wallet-0", "orderer-0", "ferretdb", "api"...)
   * with SIGKILL, as a crash or the OOM killer would: no chance to clean up. Returns its pid
   * and when.
   */
  kill(name: string): { pid: number; atMs: number } {
    const pid = this.supervisor.pid(name);
    if (pid === undefined || !this.supervisor.isRunning(name)) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
    return { pid, atMs: Date.now() };
  }

  /**
   * Waits until the supervisor has started `name` again (a pid other than `killedPid`) and it
   * accepts TCP on its port; returns the new pid.
   */
  async back(name: string, killedPid: number, timeoutMs: number): Promise<number> {
    const port = await this.network.port(name);
    return until(
      `${name} is back after SIGKILL`,
      async () => {
        const pid = this.supervisor.pid(name);
        if (pid === undefined || pid === killedPid || !this.supervisor.isRunning(name)) return undefined;
        await waitForTcp(port, 1000, () => true);
        return pid;
      },
      timeoutMs,
    );
  }

  /** Stops every process; copies the logs to `keepLogsIn` first when given; removes the directory. */
  async stop(keepLogsIn?: string): Promise<void> {
    await this.network.down();
    if (keepLogsIn) await cp(join(this.dataDir, 'logs'), keepLogsIn, { recursive: true });
    await this.dir.remove();
  }
}
