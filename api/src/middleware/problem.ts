import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, PROBLEM_BASE } from '../errors.js';
import type { AppEnv } from '../types.js';

/** Writes an RFC 9457 problem document. */
export function problem(c: Context<AppEnv>, error: ApiError): Response {
  const body = {
    type: `${PROBLEM_BASE}${error.kind}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...error.extensions,
  };
  if (error.kind === 'too-many-requests' || error.extensions.retryAfterSeconds !== undefined)
    c.header('Retry-After', String(Number(error.extensions.retryAfterSeconds ?? 60)));
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
  });
}

/**
 * The outer DB server cannot be reached (down, restarting, the pool cleared after a network
 * error): a condition to wait out, not a bug. The driver reconnects by itself.
 */
function outerDbUnreachable(error: Error): boolean {
  return (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    // FerretDB up but its PostgreSQL down or recovering (a server error with the backend's
    // words: FerretDB's, or libpq's when DocumentDB cannot reach its own server, seen on the
    // cluster), or a bulk write cut by a closed connection: seen by the fault suite.
    (error instanceof MongoError && BACKEND_DOWN.test(error.message))
  );
}

const BACKEND_DOWN =
  /failed to connect to|connection to server at .* failed|the database system is (starting up|shutting down|in recovery mode)|not yet accepting connections|terminating connection due to|connection .* closed|connection pool .* was cleared/i;

/** The one place errors become responses: known ones keep their status; anything else is a logged 500. */
export function onError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof ApiError) return problem(c, error);
  if (outerDbUnreachable(error)) {
    c.get('logger').warn({ err: error.message }, 'outer DB unreachable');
    return problem(
      c,
      new ApiError(
        503,
        'unavailable',
        'Service unavailable',
        'the outer database is unreachable; try again shortly',
        {
          retryAfterSeconds: 2,
        },
      ),
    );
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const kind = status === 413 ? 'payload-too-large' : status === 400 ? 'validation' : 'http';
    const detail =
      status === 400 && /json/i.test(error.message)
        ? 'the body is not valid JSON'
        : error.message || 'request refused';
    return problem(
      c,
      new ApiError(status, kind, status === 413 ? 'Body too large' : 'Request refused', detail),
    );
  }
  c.get('logger').error({ err: error }, 'unhandled error');
  return problem(
    c,
    new ApiError(500, 'internal', 'Internal error', 'the request failed; it was logged with its request id'),
  );
}
