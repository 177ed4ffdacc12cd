import { join } from 'node:path';
import { toolBin } from '@fabric-wallet/operator/tools';
import { freePort } from './ports.js';
import { startProcess, type Started } from './processes.js';

/** A real FerretDB (SQLite backend, telemetry off) on a free loopback port, data in `dir`. */
export async function startFerretDb(dir: string): Promise<{ uri: string; process: Started }> {
  const port = await freePort();
  const process = startProcess(
    'ferretdb',
    toolBin('ferretdb', 'ferretdb'),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${join(dir, '')}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--state-dir=${dir}`,
      '--log-level=warn',
    ],
    { cwd: dir, logDir: dir, env: { DO_NOT_TRACK: '1' } },
  );
  await process.listening(port, 30_000);
  return { uri: `mongodb://127.0.0.1:${port}/`, process };
}
