import { randomBytes } from 'node:crypto';
import { request } from 'node:https';

/** Mutual-TLS access to an orderer's admin endpoint (channel participation API). */
export interface OsnAdminEndpoint {
  /** host:port of the admin listener. */
  readonly address: string;
  readonly tlsRootCert: string;
  /** The orderer org admin's TLS client certificate and key. */
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface ChannelInfo {
  readonly name: string;
  readonly status: string;
  readonly consensusRelation: string;
  readonly height: number;
}

export class OsnAdminError extends Error {
  override readonly name = 'OsnAdminError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

async function call(
  endpoint: OsnAdminEndpoint,
  method: string,
  path: string,
  body?: { contentType: string; bytes: Buffer },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${endpoint.address}${path}`,
      {
        method,
        ca: endpoint.tlsRootCert,
        cert: endpoint.clientCert,
        key: endpoint.clientKey,
        timeout: 30_000,
        headers: body ? { 'content-type': body.contentType, 'content-length': body.bytes.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error(`${method} ${path} at ${endpoint.address} timed out`)));
    req.end(body?.bytes);
  });
}

/** The orderer's view of one channel, or undefined when it has not joined it. */
export async function channelInfo(
  endpoint: OsnAdminEndpoint,
  channel: string,
): Promise<ChannelInfo | undefined> {
  const { status, text } = await call(
    endpoint,
    'GET',
    `/participation/v1/channels/${encodeURIComponent(channel)}`,
  );
  if (status === 404) return undefined;
  if (status !== 200)
    throw new OsnAdminError(`GET channel ${channel} at ${endpoint.address}: ${status} ${text}`, status);
  return JSON.parse(text) as ChannelInfo;
}

/** Joins the orderer to a channel with its genesis block (multipart field "config-block"). */
export async function joinChannel(
  endpoint: OsnAdminEndpoint,
  channel: string,
  block: Uint8Array,
): Promise<ChannelInfo> {
  const boundary = `----fabric-wallet-${randomBytes(12).toString('hex')}`;
  const bytes = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="config-block"; filename="${channel}.block"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    Buffer.from(block),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const { status, text } = await call(endpoint, 'POST', '/participation/v1/channels', {
    contentType: `multipart/form-data; boundary=${boundary}`,
    bytes,
  });
  if (status !== 201)
    throw new OsnAdminError(`join ${channel} at ${endpoint.address}: ${status} ${text}`, status);
  return JSON.parse(text) as ChannelInfo;
}
