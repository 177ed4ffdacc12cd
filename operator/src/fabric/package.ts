import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * A chaincode package for the CCaaS builder, byte-for-byte deterministic: fixed tar headers
 * (mode 0644, uid/gid 0, mtime 0, no user names) and gzip without a timestamp. The same
 * inputs give the same package id on every run and every machine.
 */

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512, 0);
  const field = (value: string, offset: number, length: number) =>
    header.write(value, offset, length, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  field('00000000000\0', 136, 12);
  field('        ', 148, 8); // checksum placeholder: spaces while summing
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

/** An uncompressed ustar archive of the given files, in the given order. */
export function tar(files: readonly { name: string; content: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) throw new RangeError(`tar entry name too long: ${file.name}`);
    parts.push(tarHeader(file.name, file.content.length), file.content);
    const padding = (512 - (file.content.length % 512)) % 512;
    parts.push(Buffer.alloc(padding, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

/** gzip with no name and mtime 0 (zlib writes neither), at a fixed level. */
function gzip(bytes: Buffer): Buffer {
  return gzipSync(bytes, { level: 9 });
}

/** Where the chaincode server listens, as the peer reads it from connection.json. */
export interface CcaasConnection {
  /** host:port; may hold {{.peername}}-style placeholders for the builder to fill. */
  readonly address: string;
  readonly dialTimeout?: string;
  /**
   * TLS to the chaincode server: the root that signed its certificate and, for mutual TLS,
   * the client certificate and key the peers present (PEM, carried in connection.json).
   */
  readonly tls?: { readonly rootCert: string; readonly clientCert?: string; readonly clientKey?: string };
}

/** Builds `<label>.tgz` = metadata.json + code.tar.gz(connection.json) and its package id. */
export function ccaasPackage(
  label: string,
  connection: CcaasConnection,
): { bytes: Buffer; packageId: string } {
  if (!/^[A-Za-z0-9_.+-]+$/.test(label)) throw new RangeError(`invalid chaincode label ${label}`);
  const tls = connection.tls;
  const connectionJson = JSON.stringify({
    address: connection.address,
    dial_timeout: connection.dialTimeout ?? '10s',
    tls_required: tls !== undefined,
    ...(tls
      ? {
          root_cert: tls.rootCert,
          ...(tls.clientCert && tls.clientKey
            ? { client_auth_required: true, client_cert: tls.clientCert, client_key: tls.clientKey }
            : {}),
        }
      : {}),
  });
  const code = gzip(tar([{ name: 'connection.json', content: Buffer.from(connectionJson) }]));
  const metadata = JSON.stringify({ type: 'ccaas', label });
  const bytes = gzip(
    tar([
      { name: 'metadata.json', content: Buffer.from(metadata) },
      { name: 'code.tar.gz', content: code },
    ]),
  );
  return { bytes, packageId: `${label}:${createHash('sha256').update(bytes).digest('hex')}` };
}
