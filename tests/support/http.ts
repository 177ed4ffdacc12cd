/** An answer of the API over HTTP; status 0 when none came (refused connection, reset, timeout). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** `Idempotent-Replayed: true`: the answer of an earlier request with the same key. */
  readonly replayed: boolean;
}

export interface HttpOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** The Idempotency-Key header. */
  readonly key?: string;
  /** Abandons the request after this long (status 0, body.error "timeout"); default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * One HTTP request to the API at `base`, as a client over the network sees it: a failure to
 * get any answer is status 0 with the reason in `body.error`, never an exception.
 */
export async function httpCall(
  base: string,
  method: string,
  path: string,
  options: HttpOptions = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.key) headers['idempotency-key'] = options.key;
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text: text.slice(0, 200) };
    }
    return {
      status: response.status,
      body,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? 'timeout'
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    return { status: 0, body: { error: reason }, replayed: false };
  }
}

/** "409 idempotency-in-progress", "503 unavailable", "0 ECONNREFUSED": an answer by status and problem type. */
export function answerKind(answer: Pick<HttpAnswer, 'status' | 'body'>): string {
  if (answer.status === 0)
    return `0 ${typeof answer.body.error === 'string' ? answer.body.error : 'no answer'}`;
  const type = typeof answer.body.type === 'string' ? answer.body.type : '';
  return `${String(answer.status)} ${type.replace(/^https:\/\/fabric-wallet\.io\/problems\//, '')}`.trim();
}
