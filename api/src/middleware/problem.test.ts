import { Hono } from 'hono';
import { MongoBulkWriteError, MongoNetworkError, MongoNotConnectedError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import type { AppEnv } from '../types.js';
import { onError } from './problem.js';

describe('onError', () => {
  const app = (error: Error) => {
    const hono = new Hono<AppEnv>();
    hono.use(async (c, next) => {
      c.set('requestId', 'r-1');
      c.set('logger', createLogger('silent'));
      await next();
    });
    hono.get('/', () => {
      throw error;
    });
    hono.onError(onError);
    return hono;
  };

  it.each<[string, Error]>([
    ['a network error', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    [
      'FerretDB without its PostgreSQL',
      new MongoServerError({
        message: 'failed to connect to `user=postgres database=postgres`: dial error',
        code: 1,
      }),
    ],
    [
      'DocumentDB unable to reach its own PostgreSQL (libpq)',
      new MongoServerError({
        message:
          'Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\nconnection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused',
        code: 1,
      }),
    ],
    [
      'PostgreSQL starting up',
      new MongoServerError({
        message: 'FATAL: the database system is starting up (SQLSTATE 57P03)',
        code: 1,
      }),
    ],
    [
      'a bulk write cut',
      new MongoBulkWriteError({ message: 'connection 12 to 127.0.0.1:27017 closed', code: 1 }, {
        insertedCount: 0,
        matchedCount: 0,
        modifiedCount: 0,
        deletedCount: 0,
        upsertedCount: 0,
        insertedIds: {},
        upsertedIds: {},
      } as never),
    ],
    [
      'a client not connected',
      new MongoNotConnectedError('MongoClient must be connected to perform this operation'),
    ],
  ])('answers the outer DB unreachable (%s) with 503 and Retry-After, not 500', async (_name, error) => {
    const response = await app(error).request('/');

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({
      type: 'https://fabric-wallet.io/problems/unavailable',
      detail: 'the outer database is unreachable; try again shortly',
    });
  });

  it('keeps a server error that is not an outage a 500', async () => {
    const response = await app(
      new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }),
    ).request('/');

    expect(response.status).toBe(500);
  });

  it('answers anything unknown with a 500 that reveals nothing', async () => {
    const response = await app(new Error('secret internals')).request('/');

    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret internals');
  });
});
