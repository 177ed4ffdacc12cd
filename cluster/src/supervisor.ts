import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Component } from './components.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once something accepts TCP connections on 127.0.0.1:port (of this namespace). */
export async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.setTimeout(1000, () => {
      done(false);
    });
  });
}

/**
 * Keeps the node's programs running: each is started in order once the one before it serves,
 * and started again (after a pause that doubles up to 30 s) if it exits while the node is up.
 * Output goes to <logs>/<name>.log.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly say: (line: string) => void,
    /** Checks an HTTPS health URL (the API server's readyz needs a bearer token). */
    private readonly healthz: (url: string) => Promise<boolean>,
  ) {}

  async start(component: Component, timeoutMs = 180_000): Promise<void> {
    const begun = Date.now();
    this.launch(component, 0);
    for (;;) {
      if (await this.ready(component)) {
        this.say(`${component.name} is up (${String(Date.now() - begun)} ms)`);
        return;
      }
      if (Date.now() - begun > timeoutMs)
        throw new Error(
          `${component.name} did not come up in ${String(timeoutMs / 1000)} s (log: ${this.logPath(component)})`,
        );
      await sleep(250);
    }
  }

  private logPath(component: Component) {
    return join(this.logDir, `${component.name}.log`);
  }

  private async ready(component: Component): Promise<boolean> {
    const ready = component.ready;
    if ('port' in ready) return tcpOpen(ready.port);
    if ('socket' in ready) return existsSync(ready.socket);
    return this.healthz(ready.healthz);
  }

  private launch(component: Component, restarts: number) {
    let log = this.logs.get(component.name);
    if (!log) {
      log = createWriteStream(this.logPath(component), { flags: 'a' });
      this.logs.set(component.name, log);
    }
    const child = spawn(component.command, component.args, {
      env: { ...process.env, ...component.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    this.children.set(component.name, child);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const pause = Math.min(30_000, 1000 * 2 ** restarts);
      this.say(
        `${component.name} exited (${signal ?? String(code)}); starting it again in ${String(pause)} ms`,
      );
      setTimeout(() => {
        if (!this.stopping) this.launch(component, restarts + 1);
      }, pause).unref();
    });
  }

  /** SIGTERM to every program, last started first; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const [name, child] of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        this.say(`${name} ignored SIGTERM for 10 s: SIGKILL`);
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    for (const log of this.logs.values()) log.end();
  }
}
