import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { CallLimiter } from '../concurrency/call-limiter.js';

/** scrypt with an explicit options object, as a promise. */
export function scrypt(
  secret: string,
  salt: Buffer,
  length: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret.normalize('NFKC'), salt, length, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Cost of password hashing: N = 2^15 (about 30-60 ms and 32 MiB on one core here). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** `scrypt$N$r$p$salt$hash` (base64url): self-describing, so the cost can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** How much password hashing may run at once, and how much may wait for it. */
export interface HashingLimits {
  /** Hashes at once: one core less than the machine has (at least one), so payments keep a core. */
  readonly concurrency: number;
  /** Hashes waiting beyond those; more get 503 with Retry-After at once. */
  readonly queue: number;
}

export const DEFAULT_HASHING_LIMITS: HashingLimits = {
  concurrency: Math.max(1, availableParallelism() - 1),
  queue: 64,
};

/**
 * Password hashing through a bounded queue: scrypt takes a core for tens of milliseconds, so a
 * flood of logins or registrations must wait its turn (or be refused) instead of taking every
 * core and the libuv pool from payments, which never hash.
 */
export class PasswordHasher {
  private readonly gate: CallLimiter;

  constructor(limits: HashingLimits = DEFAULT_HASHING_LIMITS) {
    this.gate = new CallLimiter(limits.concurrency, limits.queue, 'password checks');
  }

  hash(password: string): Promise<string> {
    return this.gated(() => hashPassword(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.gated(() => verifyPassword(password, stored));
  }

  snapshot(): { inFlight: number; waiting: number } {
    return this.gate.snapshot();
  }

  private async gated<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.gate.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}
