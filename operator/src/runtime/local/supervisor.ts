import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

/** One program the supervisor keeps running. */
export interface ProcessSpec {
  /** Unique name, e.g. "peer wallet-0". */
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
  /**
   * Directory for `<name>.pid` files. A process left over from a supervisor that died
   * without stopping it (SIGKILL, crash) is found there and killed before a new one starts.
   */
  readonly pidDir?: string;
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
  /** Every live supervisor, so that processes die with this one even when it exits abruptly. */
  private static readonly live = new Set<Supervisor>();
  private static exitHookInstalled = false;

  private readonly processes = new Map<string, Running>();
  private readonly options: Required<Omit<SupervisorOptions, 'onEvent' | 'pidDir'>> &
    Pick<SupervisorOptions, 'onEvent' | 'pidDir'>;

  constructor(options: SupervisorOptions = {}) {
    this.options = {
      restartDelayMs: 500,
      restartDelayMaxMs: 30_000,
      healthyAfterMs: 60_000,
      restartCountMax: 10,
      stopTimeoutMs: 10_000,
      ...options,
    };
    Supervisor.live.add(this);
    if (!Supervisor.exitHookInstalled) {
      Supervisor.exitHookInstalled = true;
      // The children run in their own process groups (detached), so nothing else would stop
      // them if this process exits without stopAll() (a crash, a test runner tearing down).
      process.once('exit', () => {
        for (const supervisor of Supervisor.live) supervisor.killAllNow();
      });
    }
  }

  /** SIGKILLs every child's process group at once; for process exit, where nothing can wait. */
  private killAllNow(): void {
    for (const running of this.processes.values()) {
      running.stopping = true;
      const pid = running.child?.pid;
      if (pid === undefined || running.child?.exitCode !== null) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Starts `spec` unless a process of that name runs already (idempotent). */
  ensure(spec: ProcessSpec): void {
    const existing = this.processes.get(spec.name);
    if (existing && !existing.stopping) return;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    this.killLeftover(spec);
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
    if (this.options.pidDir) rmSync(join(this.options.pidDir, `${name}.pid`), { force: true });
    this.processes.delete(name);
  }

  /** Kills a process recorded in the pid dir that still runs the same program. */
  private killLeftover(spec: ProcessSpec): void {
    if (!this.options.pidDir) return;
    const file = join(this.options.pidDir, `${spec.name}.pid`);
    let pid: number;
    try {
      pid = Number(readFileSync(file, 'utf8'));
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!commandLine.startsWith(spec.command)) return;
    } catch {
      return; // no pid file, or that process is gone
    }
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Stops every process, in reverse start order. */
  async stopAll(): Promise<void> {
    for (const name of this.names().reverse()) await this.stop(name);
    Supervisor.live.delete(this);
  }

  private launch(running: Running): void {
    const { spec } = running;
    running.log.write(`\n--- ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`);
    // Its own process group: a Ctrl-C in the terminal reaches only the supervisor, which then
    // stops the processes in order instead of racing them.
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.child = child;
    if (this.options.pidDir && child.pid !== undefined) {
      mkdirSync(this.options.pidDir, { recursive: true });
      writeFileSync(join(this.options.pidDir, `${spec.name}.pid`), String(child.pid));
    }
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
