import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { waitForPort } from './ports.js';

/** A real program started by a test, with its output in a log file. */
export interface Started {
  readonly child: ChildProcess;
  readonly logPath: string;
  readonly alive: () => boolean;
  /** The log so far; shown when a test fails to start a program. */
  readonly log: () => Promise<string>;
  /** Resolves once it accepts TCP on 127.0.0.1:port; the error carries the log's tail. */
  readonly listening: (port: number, timeoutMs: number) => Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  readonly stop: () => Promise<void>;
}

export interface StartOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Directory for `<name>.log`. */
  readonly logDir: string;
}

/** Children still running; killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `command args` with stdout and stderr appended to `<logDir>/<name>.log`. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions,
): Started {
  mkdirSync(options.logDir, { recursive: true });
  const logPath = join(options.logDir, `${name}.log`);
  const out = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = false;
  running.add(child);
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const log = () => readFile(logPath, 'utf8');
  return {
    child,
    logPath,
    alive: () => !exited,
    log,
    async listening(port, timeoutMs) {
      try {
        await waitForPort(port, timeoutMs, () => !exited);
      } catch (error) {
        const tail = (await log()).split('\n').slice(-15).join('\n');
        throw new Error(`${name}: ${(error as Error).message}; last log lines:\n${tail}`, { cause: error });
      }
    },
    async stop() {
      if (exited) return;
      const done = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to completion and returns its stdout and stderr together. */
export async function run(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? -1, output };
}
