import { createServer, type Server, type Socket } from 'node:net';

/**
 * A byte-for-byte forwarder: every connection accepted is piped to a new upstream connection
 * (TLS passes through untouched); an error on either side closes both.
 */
export function forwarder(connectUpstream: () => Socket): Server {
  return createServer((client) => {
    const upstream = connectUpstream();
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', close);
    upstream.once('error', close);
  });
}
