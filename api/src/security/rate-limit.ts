import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';
import type { AppEnv } from '../types.js';

/** A quota of `quota` requests per `windowSeconds`, refilled continuously (a token bucket). */
export interface RatePolicy {
  /** Names the policy in the RateLimit headers and the 429's detail. */
  readonly name: string;
  readonly quota: number;
  readonly windowSeconds: number;
  /** What is counted, for the 429's detail: "failed logins". */
  readonly counts: string;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole requests left now. */
  readonly remaining: number;
  /** Seconds until the quota is whole again. */
  readonly resetSeconds: number;
  /** Seconds until the next request is allowed (0 when allowed). */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-client token buckets in this process's memory. A burst of `quota` requests passes, then
 * one per windowSeconds/quota. JavaScript runs one callback at a time, so concurrent requests
 * take their tokens one after the other and never more than the bucket holds. Memory is
 * bounded: beyond `maxClients` the least recently seen client is forgotten (it starts full).
 * With several API replicas each keeps its own buckets (docs/security.md).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly policy: RatePolicy,
    private readonly maxClients = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = policy.quota / (policy.windowSeconds * 1000);
  }

  take(client: string): RateDecision {
    const bucket = this.refilled(client);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const missing = (units: number) => Math.ceil(Math.max(0, units) / this.perMs / 1000);
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: missing(this.policy.quota - bucket.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, missing(1 - bucket.tokens)),
    };
  }

  /** Gives back a token taken by a request that turned out not to count (a successful login). */
  refund(client: string): void {
    const bucket = this.buckets.get(client);
    if (bucket) bucket.tokens = Math.min(this.policy.quota, bucket.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(client: string): Bucket {
    const now = this.now();
    const known = this.buckets.get(client);
    const bucket = known ?? { tokens: this.policy.quota, at: now };
    bucket.tokens = Math.min(this.policy.quota, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    // Most recently seen last: Map keeps insertion order, so the first entry is the stalest.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > this.maxClients) {
      const stalest = this.buckets.keys().next().value;
      if (stalest !== undefined) this.buckets.delete(stalest);
    }
    return bucket;
  }
}

/** IPv6 clients are counted per /64 (one subscriber's prefix); IPv4-mapped addresses as IPv4. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}

/**
 * The address of the client a request came from: the TCP peer, or behind `trustedProxyHops`
 * reverse proxies the address the outermost trusted proxy saw (counted from the right of
 * X-Forwarded-For; entries further left are the client's own claims). Undefined for a request
 * without a socket (app.request in-process, as `npm start`'s seeding does).
 */
export function clientAddress(c: Context<AppEnv>, trustedProxyHops: number): string | undefined {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
  if (!peer) return undefined;
  if (trustedProxyHops === 0) return clientKey(peer);
  const chain = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const seen = chain[Math.max(0, chain.length - trustedProxyHops)];
  return clientKey(seen ?? peer);
}

/**
 * Applies a policy per client. Every request takes a token before it runs (so concurrent ones
 * are counted), and `refundIf` gives it back when the answer shows it should not count (a
 * successful login). Answers carry the IETF RateLimit-Policy and RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers); a refused one is 429 with Retry-After.
 */
export function rateLimit(
  limiter: RateLimiter,
  clientOf: (c: Context<AppEnv>) => string | undefined,
  refundIf: (status: number) => boolean = () => false,
): MiddlewareHandler<AppEnv> {
  const { name, quota, windowSeconds, counts } = limiter.policy;
  const policyField = `"${name}";q=${String(quota)};w=${String(windowSeconds)}`;
  return async (c, next) => {
    const client = clientOf(c);
    if (client === undefined) return next();
    const decision = limiter.take(client);
    c.header('RateLimit-Policy', policyField);
    c.header('RateLimit', `"${name}";r=${String(decision.remaining)};t=${String(decision.resetSeconds)}`);
    if (!decision.allowed)
      throw new ApiError(
        429,
        'too-many-requests',
        'Too many requests',
        `too many ${counts} from this client (${String(quota)} per ${String(windowSeconds)} s); ` +
          `retry after ${String(decision.retryAfterSeconds)} s`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      );
    await next();
    if (refundIf(c.res.status)) limiter.refund(client);
  };
}
