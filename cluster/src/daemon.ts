/**
 * The cluster's host-side process (started detached by `cluster up`): starts the node in new
 * PID, mount and network namespaces with `unshare`, and forwards 127.0.0.1:<port> of the host
 * to the API server's unix socket inside. SIGTERM stops the node gracefully (SIGKILL after
 * 60 s); if this process dies, `--kill-child` takes the node, and with it every process of
 * the namespace, down too.
 *
 *   node cluster/dist/daemon.js <data dir> <port>
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwarder } from './forward.js';
import { layout as layoutOf } from './layout.js';

const [root, portText] = process.argv.slice(2);
if (!root || !portText) {
  process.stderr.write('usage: node cluster/dist/daemon.js <data dir> <port>\n');
  process.exit(2);
}
const layout = layoutOf(root);
const say = (line: string) => process.stdout.write(`[daemon] ${new Date().toISOString()} ${line}\n`);

const nodeScript = join(fileURLToPath(new URL('.', import.meta.url)), 'node.js');
const out = openSync(join(layout.logs, 'node.log'), 'a');
const unshare = spawn(
  'unshare',
  [
    '--net',
    '--mount',
    '--pid',
    '--fork',
    '--mount-proc',
    '--kill-child',
    process.execPath,
    nodeScript,
    layout.root,
  ],
  { stdio: ['ignore', out, out] },
);

const apiSocket = join(layout.run, 'apiserver.sock');
const apiForwarder = forwarder(() => connect(apiSocket));
apiForwarder.listen(Number(portText), '127.0.0.1', () => say(`API server on https://127.0.0.1:${portText}`));

/** The node's PID as the host sees it: unshare's only child. */
function nodePid(): number | undefined {
  if (unshare.pid === undefined) return undefined;
  try {
    const children = readFileSync(
      `/proc/${String(unshare.pid)}/task/${String(unshare.pid)}/children`,
      'utf8',
    );
    const pid = Number(children.trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const shutdown = { requested: false };
process.on('SIGTERM', () => {
  if (shutdown.requested) return;
  shutdown.requested = true;
  say('stopping the node');
  const pid = nodePid();
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
  else unshare.kill('SIGKILL');
  setTimeout(() => {
    say('the node did not stop in 60 s: SIGKILL');
    unshare.kill('SIGKILL');
  }, 60_000).unref();
});

const [code, signal] = (await once(unshare, 'exit')) as [number | null, NodeJS.Signals | null];
say(`node exited (${signal ?? String(code)})`);
apiForwarder.close();
process.exit(shutdown.requested ? 0 : 1);
