import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** One program the supervisor keeps running. */
export interface ProcessSpec {
  /** Unique name, e.g. "peer wallet-peer-0". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
}

export type SupervisorEvent =
  | { type: 'started'; name: string; pid: number }
  | { type: 'exited'; name: string; code: number | null; signal: string | null; restartInMs: number }
  | { type: 'gave-up'; name: string; restarts: number };

export interface SupervisorOptions {
  readonly onEvent?: (event: SupervisorEvent) => void;
  /** First restart delay; doubles each crash up to restartDelayMaxMs. */
  readonly restartDelayMs?: number;
  readonly restartDelayMaxMs?: number;
  /** A process up this long counts as healthy again: its delay resets. */
  readonly healthyAfterMs?: number;
  /** Crashes in a row after which it is left stopped and reported. */
  readonly restartCountMax?: number;
  /** SIGTERM, then SIGKILL after this long. */
  readonly stopTimeoutMs?: number;
}

interface Running {
  spec: ProcessSpec;
  child: ChildProcess | undefined;
  log: WriteStream;
  restarts: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  stopping: boolean;
}

/**
 * Runs the network's processes (CAs, orderers, peers, chaincode servers) with their output in
 * log files, restarts a crashed one with exponential backoff and reports it, and stops
 * everything cleanly (SIGTERM, then SIGKILL) on stop().
 */
export class Supervisor {
  private readonly processes = new Map<string, Running>();
  private readonly options: Required<Omit<SupervisorOptions, 'onEvent'>> & Pick<SupervisorOptions, 'onEvent'>;

  constructor(options: SupervisorOptions = {}) {
    this.options = {
      restartDelayMs: 500,
      restartDelayMaxMs: 30_000,
      healthyAfterMs: 60_000,
      restartCountMax: 10,
      stopTimeoutMs: 10_000,
      ...options,
    };
  }

  /** Starts `spec` unless a process of that name runs already (idempotent). */
  ensure(spec: ProcessSpec): void {
    const existing = this.processes.get(spec.name);
    if (existing && !existing.stopping) return;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const running: Running = {
      spec,
      child: undefined,
      log: createWriteStream(spec.logFile, { flags: 'a' }),
      restarts: 0,
      startedAt: 0,
      timer: undefined,
      stopping: false,
    };
    this.processes.set(spec.name, running);
    this.launch(running);
  }

  isRunning(name: string): boolean {
    const running = this.processes.get(name);
    return running?.child?.exitCode === null && running.child.signalCode === null;
  }

  pid(name: string): number | undefined {
    return this.processes.get(name)?.child?.pid;
  }

  names(): string[] {
    return [...this.processes.keys()];
  }

  restartCount(name: string): number {
    return this.processes.get(name)?.restarts ?? 0;
  }

  /** Sends `signal` to a process without stopping supervision (tests use it to simulate a crash). */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.processes.get(name)?.child?.kill(signal);
  }

  /** Stops one process and forgets it. */
  async stop(name: string): Promise<void> {
    const running = this.processes.get(name);
    if (!running) return;
    running.stopping = true;
    clearTimeout(running.timer);
    const child = running.child;
    if (child?.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
      await exited;
      clearTimeout(killer);
    }
    running.log.end();
    this.processes.delete(name);
  }

  /** Stops every process, in reverse start order. */
  async stopAll(): Promise<void> {
    for (const name of this.names().reverse()) await this.stop(name);
  }

  private launch(running: Running): void {
    const { spec } = running;
    running.log.write(`\n--- ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.child = child;
    running.startedAt = Date.now();
    child.stdout.pipe(running.log, { end: false });
    child.stderr.pipe(running.log, { end: false });
    child.once('error', (error) => running.log.write(`--- spawn error: ${error.message}\n`));
    child.once('spawn', () =>
      this.options.onEvent?.({ type: 'started', name: spec.name, pid: child.pid ?? -1 }),
    );
    child.once('exit', (code, signal) => {
      if (running.stopping) return;
      if (Date.now() - running.startedAt >= this.options.healthyAfterMs) running.restarts = 0;
      running.restarts++;
      if (running.restarts > this.options.restartCountMax) {
        this.options.onEvent?.({ type: 'gave-up', name: spec.name, restarts: running.restarts - 1 });
        return;
      }
      const delay = Math.min(
        this.options.restartDelayMs * 2 ** (running.restarts - 1),
        this.options.restartDelayMaxMs,
      );
      this.options.onEvent?.({ type: 'exited', name: spec.name, code, signal, restartInMs: delay });
      running.timer = setTimeout(() => {
        this.launch(running);
      }, delay);
    });
  }
}
