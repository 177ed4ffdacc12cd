import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseNetwork, ValidationError } from '../../api/v1alpha1/parse.js';
import { LocalNetwork } from './network.js';

export interface RunOptions {
  readonly manifest: string;
  readonly dataDir: string;
  /** Progress lines. */
  readonly say: (line: string) => void;
}

export interface RunningNetwork {
  readonly network: LocalNetwork;
  /** Whether the first reconcile brought everything up. */
  readonly ready: boolean;
  /** Stops watching and stops every process (data stays). */
  stop(): Promise<void>;
}

/**
 * Runs the network of a manifest and keeps it reconciled: edits to the manifest are applied
 * as they are saved (declarative scaling), one reconcile at a time with changes arriving
 * meanwhile coalesced into one more pass, and status.json is refreshed every 10 s.
 */
export async function runLocalNetwork(options: RunOptions): Promise<RunningNetwork> {
  const { say } = options;
  const network = new LocalNetwork({
    dataDir: options.dataDir,
    network: parseNetwork(await readFile(options.manifest, 'utf8')),
    log: say,
    onProcessEvent: (event) => {
      if (event.type === 'exited') {
        say(
          `${event.name} exited (code ${event.code ?? '-'}, signal ${event.signal ?? '-'}); restarting in ${event.restartInMs} ms`,
        );
      }
      if (event.type === 'gave-up')
        say(`${event.name} crashed ${event.restarts} times in a row; left stopped`);
    },
  });

  let running = false;
  let pending = false;
  let stopping = false;
  let lastOk = false;
  const reconcile = async (reason: string): Promise<void> => {
    pending = true;
    if (running) return;
    running = true;
    while (pending && !stopping) {
      pending = false;
      const start = performance.now();
      try {
        network.setResources(parseNetwork(await readFile(options.manifest, 'utf8')));
        say(`reconciling (${reason})`);
        await network.up();
        lastOk = true;
        say(
          `network is up (${((performance.now() - start) / 1000).toFixed(1)} s); data in ${options.dataDir}`,
        );
      } catch (error) {
        lastOk = false;
        if (error instanceof ValidationError) say(`manifest not applied: ${error.message}`);
        else say(`reconcile failed, will retry on the next change: ${(error as Error).message}`);
      }
    }
    running = false;
  };

  // Editors replace files, so watch the directory and match the name.
  let debounce: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(options.manifest), (_event, file) => {
    if (file !== basename(options.manifest)) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void reconcile(`${basename(options.manifest)} changed`), 300);
  });
  await reconcile('start');
  say(`watching ${options.manifest} for changes`);
  const refresh = setInterval(() => {
    if (!running && !stopping) {
      network.refreshStatus().catch((error: unknown) => {
        say(`status refresh failed: ${String(error)}`);
      });
    }
  }, 10_000);
  refresh.unref();

  return {
    network,
    ready: lastOk,
    async stop() {
      stopping = true;
      clearInterval(refresh);
      clearTimeout(debounce);
      watcher.close();
      await network.down();
    },
  };
}
