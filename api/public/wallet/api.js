// The API as the page calls it: JSON in and out, the session as a bearer token, problems
// (RFC 9457) turned into errors that carry the server's `detail`. The session token lives in
// sessionStorage (gone when the tab closes); passwords are sent once and never kept.

const TOKEN = 'fabric-wallet.session';

/** A failed call: `message` is the problem's detail (what is wrong), else its title. */
export class ApiError extends Error {
  name = 'ApiError';
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `The server answered ${status}.`);
    this.status = status;
    this.type = problem.type;
  }

  /**
   * Whether the server may not have finished the request (no answer, or a 5xx): repeating it
   * with the same Idempotency-Key is then the safe thing to do.
   */
  get unsettled() {
    return this.status === 0 || this.status >= 500;
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  start(token) {
    sessionStorage.setItem(TOKEN, token);
  },
  end() {
    sessionStorage.removeItem(TOKEN);
  },
};

let expired = () => undefined;

/** Runs `handler` when the server no longer knows this tab's session (401 on a signed-in call). */
export function onSessionExpired(handler) {
  expired = handler;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

/**
 * Calls the API. `body` is sent as JSON; `idempotencyKey` as the Idempotency-Key header
 * (payments, recharges, purchases); `raw` returns the Response (CSV). Throws ApiError.
 */
export async function api(method, path, { body, idempotencyKey, raw = false } = {}) {
  const headers = { accept: 'application/json' };
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check the connection and try again.' });
  }
  if (response.status === 401 && token) {
    session.end();
    expired();
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (raw) return response;
  return response.status === 204 ? undefined : response.json();
}

/** A path segment with its reserved characters escaped. */
export const segment = (value) => encodeURIComponent(value);
