import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type ProcessSpec, type SupervisorEvent } from './supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
const spec = (name: string, script: string): ProcessSpec => ({
  name,
  command: '/bin/sh',
  args: ['-c', script],
  env: { PATH: process.env.PATH ?? '' },
  cwd: dir,
  logFile: join(dir, `${name}.log`),
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stopAll();
  });

  it('starts a process once, however often it is ensured, and logs its output', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor({ onEvent: (event) => events.push(event) });

    supervisor.ensure(spec('echo', 'echo hello; sleep 30'));
    supervisor.ensure(spec('echo', 'echo hello; sleep 30'));
    const log = join(dir, 'echo.log');
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('hello'));

    expect(events.filter((event) => event.type === 'started')).toHaveLength(1);
    expect(supervisor.isRunning('echo')).toBe(true);
  });

  it('restarts a killed process with backoff and reports the exit', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor({ onEvent: (event) => events.push(event), restartDelayMs: 50 });
    supervisor.ensure(spec('victim', 'sleep 30'));
    await until(() => supervisor?.isRunning('victim') === true);
    const firstPid = supervisor.pid('victim');

    supervisor.kill('victim');
    await until(() => supervisor?.isRunning('victim') === true && supervisor.pid('victim') !== firstPid);

    expect(events).toContainEqual({
      type: 'exited',
      name: 'victim',
      code: null,
      signal: 'SIGKILL',
      restartInMs: 50,
    });
    expect(supervisor.restartCount('victim')).toBe(1);
  });

  it('gives up on a process that keeps crashing and says so', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor({
      onEvent: (event) => events.push(event),
      restartDelayMs: 5,
      restartCountMax: 3,
    });

    supervisor.ensure(spec('crasher', 'exit 3'));
    await until(() => events.some((event) => event.type === 'gave-up'));

    const exits = events.filter((event) => event.type === 'exited');
    expect(exits.map((event) => event.restartInMs)).toEqual([5, 10, 20]);
    expect(events.at(-1)).toEqual({ type: 'gave-up', name: 'crasher', restarts: 3 });
  });

  it('stops everything with SIGTERM', async () => {
    supervisor = new Supervisor();
    supervisor.ensure(spec('a', 'sleep 30'));
    supervisor.ensure(spec('b', 'sleep 30'));
    await until(() => supervisor?.isRunning('a') === true && supervisor.isRunning('b'));

    await supervisor.stopAll();

    expect(supervisor.names()).toEqual([]);
  });
});

describe('Supervisor when its process exits without stopping', () => {
  it('takes its processes with it', async () => {
    const script = [
      `import('${new URL('./supervisor.ts', import.meta.url).pathname}').then(({ Supervisor }) => {`,
      `  const s = new Supervisor();`,
      `  s.ensure({ name: 'orphan', command: '/bin/sh', args: ['-c', 'sleep 60'], env: { PATH: process.env.PATH }, cwd: '/tmp', logFile: '${dir}/orphan.log' });`,
      `  setTimeout(() => { console.log(s.pid('orphan')); process.exit(0); }, 300);`,
      `});`,
    ].join('\n');
    const { execFileSync } = await import('node:child_process');

    const pid = Number(
      execFileSync(
        process.execPath,
        ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script],
        { encoding: 'utf8' },
      ).trim(),
    );

    expect(pid).toBeGreaterThan(0);
    await until(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});
