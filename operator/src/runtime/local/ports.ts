import { createServer } from 'node:net';
import { readFile, writeFile, rename } from 'node:fs/promises';

/**
 * Loopback ports by component name, kept in a JSON file so that a restarted network gets the
 * same ports (they are written into the channel configuration and connection profiles).
 */
export class PortBook {
  private constructor(
    private readonly file: string,
    private readonly ports: Map<string, number>,
  ) {}

  static async open(file: string): Promise<PortBook> {
    let entries: [string, number][] = [];
    try {
      entries = Object.entries(JSON.parse(await readFile(file, 'utf8')) as Record<string, number>);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new PortBook(file, new Map(entries));
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** The port recorded for `name`, without allocating one. */
  known(name: string): number | undefined {
    return this.ports.get(name);
  }

  /** The port for `name`, allocating (and recording) a currently free one the first time. */
  port(name: string): Promise<number> {
    // One allocation at a time, so concurrent callers never share a port or a file write.
    const next = this.queue.then(() => this.allocate(name));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async allocate(name: string): Promise<number> {
    const known = this.ports.get(name);
    if (known !== undefined) return known;
    const used = new Set(this.ports.values());
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = await freePort();
      if (used.has(candidate)) continue;
      this.ports.set(name, candidate);
      await this.save();
      return candidate;
    }
    throw new Error(`no free loopback port found for ${name}`);
  }

  private async save(): Promise<void> {
    const temp = `${this.file}.tmp`;
    await writeFile(temp, `${JSON.stringify(Object.fromEntries([...this.ports].sort()), null, 2)}\n`);
    await rename(temp, this.file);
  }
}

/** A TCP port on 127.0.0.1 that the OS reports free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a port probe');
  return address.port;
}
