import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseNetwork } from '../api/v1alpha1/parse.js';
import { dataDirManifest } from '../runtime/local/manifest.js';
import { runLocalNetwork } from '../runtime/local/run.js';
import { formatStatus, type StatusDocument } from '../runtime/local/status.js';
import { Layout } from '../runtime/local/layout.js';
import { repoRoot } from '../tools/versions.js';

/**
 * The local runtime's command line (npm run network -- <command>):
 *   up                  bring the network up and keep it running; edits to the manifest are
 *                       reconciled as they are saved (declarative scaling); Ctrl-C stops it
 *   status              the resources and their conditions, like `kubectl get`
 *   scale <set> <n>     set a FabricPeerSet's replicas in the manifest (a running `up` applies it)
 *   down                stop a running `up`
 * Options: --manifest <file> (default: <data dir>/network.yaml, copied once from
 * manifests/local/network.yaml), --data <dir> (.data/network or FABRIC_WALLET_DATA_DIR).
 */

interface Options {
  readonly command: string;
  readonly args: readonly string[];
  /** Named with --manifest; otherwise the data dir's own copy of the sample (dataDirManifest). */
  readonly manifest: string;
  readonly dataDir: string;
}

async function parseArgs(argv: readonly string[]): Promise<Options> {
  const rest: string[] = [];
  let manifest: string | undefined;
  let dataDir = process.env.FABRIC_WALLET_DATA_DIR ?? join(repoRoot, '.data', 'network');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--manifest') manifest = argv[++i] ?? manifest;
    else if (arg === '--data') dataDir = argv[++i] ?? dataDir;
    else rest.push(arg);
  }
  const [command = 'up', ...args] = rest;
  const data = resolve(dataDir);
  return {
    command,
    args,
    manifest: manifest === undefined ? await dataDirManifest(data) : resolve(manifest),
    dataDir: data,
  };
}

const say = (line: string) => process.stdout.write(`[network] ${line}\n`);

// fabric-ca-client reuses one keep-alive TLS socket for many requests and adds a timeout
// listener per request, which trips Node's leak warning without leaking. Other warnings print.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'MaxListenersExceededWarning' && warning.message.includes('TLSSocket')) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

async function up(options: Options): Promise<void> {
  const running = await runLocalNetwork({ manifest: options.manifest, dataDir: options.dataDir, say });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping every process (data stays in ${options.dataDir})`);
    await running.stop();
    say('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  say('Ctrl-C stops the network');
}

async function readStatus(dataDir: string): Promise<StatusDocument | undefined> {
  try {
    return JSON.parse(await readFile(new Layout(dataDir).statusFile, 'utf8')) as StatusDocument;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status(options: Options): Promise<void> {
  const document = await readStatus(options.dataDir);
  if (!document) {
    say(`no network status in ${options.dataDir}; run: npm run network -- up`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${formatStatus(document)}\n`);
  say(alive(document.pid) ? `running (pid ${document.pid})` : 'not running (last status shown)');
}

async function scale(options: Options): Promise<void> {
  const [set, countText] = options.args;
  const count = Number(countText);
  if (!set || !Number.isInteger(count) || count < 0 || count > 16) {
    throw new Error('usage: scale <FabricPeerSet name> <replicas 0..16>');
  }
  const text = await readFile(options.manifest, 'utf8');
  const documents = parseAllDocuments(text);
  const target = documents.find((document) => {
    const value = document.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    return value?.kind === 'FabricPeerSet' && value.metadata?.name === set;
  });
  if (!target || 'empty' in target) throw new Error(`no FabricPeerSet ${set} in ${options.manifest}`);
  target.setIn(['spec', 'replicas'], count);
  const updated = documents.map((document) => document.toString()).join('');
  parseNetwork(updated); // refuse to write a manifest that would not validate
  await writeFile(options.manifest, updated);
  say(
    `FabricPeerSet ${set}: spec.replicas = ${count} in ${options.manifest}; a running network reconciles it now`,
  );
}

async function down(options: Options): Promise<void> {
  const document = await readStatus(options.dataDir);
  if (!document || !alive(document.pid)) {
    say('not running');
    return;
  }
  process.kill(document.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(document.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  say(alive(document.pid) ? `pid ${document.pid} still running after 60 s` : 'stopped');
}

const options = await parseArgs(process.argv.slice(2));
const commands: Record<string, (o: Options) => Promise<void>> = { up, status, scale, down };
const command = commands[options.command];
if (!command) {
  process.stderr.write(`unknown command ${options.command}; commands: ${Object.keys(commands).join(', ')}\n`);
  process.exit(2);
}
try {
  await command(options);
} catch (error) {
  process.stderr.write(`[network] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
