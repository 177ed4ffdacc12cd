import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiException,
  createConfiguration,
  KubernetesObjectApi,
  ServerConfiguration,
  setHeaderMiddleware,
  type Configuration,
  type KubeConfig,
  type KubernetesObject,
  type Middleware as PromiseMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** A failed API call: the HTTP status and the server's Status reason and message. */
export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A call that got no complete answer in time (the connection may be half-open). */
export class KubeTimeoutError extends Error {
  override readonly name = 'KubeTimeoutError';
}

/** The deadline of the call a request belongs to (a call may make two: discovery, then the request). */
const deadline = new AsyncLocalStorage<AbortSignal>();

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * Puts the call's deadline on each request, and keeps one connection pool: client-node
 * builds a new undici Agent per request from the kubeconfig's TLS settings, which would
 * open a TLS connection per request. Those settings do not change while we run (the
 * rotated service-account token travels in a header, not in the Agent).
 */
class Transport implements PromiseMiddleware {
  private dispatcher: Dispatcher | undefined;

  pre(context: RequestContext): Promise<RequestContext> {
    const signal = deadline.getStore();
    if (signal) context.setSignal(signal);
    const fresh = context.getDispatcher();
    if (fresh) {
      this.dispatcher ??= fresh;
      context.setDispatcher(this.dispatcher);
    }
    return Promise.resolve(context);
  }

  post(context: ResponseContext): Promise<ResponseContext> {
    return Promise.resolve(context);
  }

  async close(): Promise<void> {
    await this.dispatcher?.destroy();
  }
}

/**
 * KubernetesObjectApi answering with the server's JSON as it is. client-node would turn
 * built-in kinds into its model classes (timestamps as Date) and leave custom kinds and
 * watch events as JSON; one shape everywhere keeps the cache, the schemas (timestamps are
 * strings there) and what reconcilers compare consistent.
 */
export class WireObjectApi extends KubernetesObjectApi {
  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return JSON.parse(text) as T;
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', text, response.headers);
  }
}

/** What every API object of a client shares: the server, kubeconfig authentication, the transport. */
export function clientConfiguration(config: KubeConfig): {
  configuration: Configuration;
  close: () => Promise<void>;
} {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const transport = new Transport();
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: config },
    middleware: [setHeaderMiddleware('User-Agent', 'fabric-wallet-operator')],
    promiseMiddleware: [transport],
  });
  return { configuration, close: () => transport.close() };
}

/**
 * Runs `call` (one or more client-node requests) within `timeoutMs`: the whole exchange,
 * from waiting for a pooled connection to the last byte of the body. A non-2xx answer
 * becomes a KubeError carrying the server's reason and message.
 */
export async function bounded<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = (cause?: unknown) =>
    new KubeTimeoutError(`${what}: no answer in ${String(timeoutMs)} ms`, cause ? { cause } : {});
  let expire: (() => void) | undefined;
  // Whatever ignores the signal still cannot make the caller wait past the deadline.
  const expired = new Promise<never>((_resolve, reject) => {
    expire = () => {
      reject(timedOut());
    };
    signal.addEventListener('abort', expire, { once: true });
  });
  try {
    return await Promise.race([deadline.run(signal, call), expired]);
  } catch (error) {
    throw signal.aborted ? timedOut(error) : translate(what, error);
  } finally {
    if (expire) signal.removeEventListener('abort', expire);
  }
}

/** client-node's ApiException (its body is the server's Status as text) as a KubeError. */
function translate(what: string, error: unknown): unknown {
  if (!(error instanceof ApiException)) return error;
  const body: unknown = error.body;
  const text = typeof body === 'string' ? body : '';
  let status: { reason?: unknown; message?: unknown } = {};
  try {
    status = text ? (JSON.parse(text) as typeof status) : {};
  } catch {
    // Not a Status object (a proxy's HTML page, say): its first characters are the message.
  }
  const reason = typeof status.reason === 'string' ? status.reason : 'Unknown';
  const message = typeof status.message === 'string' ? status.message : text.slice(0, 300) || reason;
  return new KubeError(error.code, reason, `${what}: ${String(error.code)} ${message}`, { cause: error });
}
