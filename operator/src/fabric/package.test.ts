import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ccaasPackage } from './package.js';

describe('ccaasPackage', () => {
  it('gives the same bytes and package id every time (stable across runs and machines)', () => {
    const a = ccaasPackage('token_1.0', { address: '127.0.0.1:9999' });
    const b = ccaasPackage('token_1.0', { address: '127.0.0.1:9999' });

    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    expect(a.packageId).toBe(`token_1.0:${createHash('sha256').update(a.bytes).digest('hex')}`);
  });

  it('changes the package id when the label or the address changes', () => {
    const base = ccaasPackage('token_1.0', { address: '127.0.0.1:9999' }).packageId;

    expect(ccaasPackage('token_1.1', { address: '127.0.0.1:9999' }).packageId).not.toBe(base);
    expect(ccaasPackage('token_1.0', { address: '127.0.0.1:9998' }).packageId).not.toBe(base);
  });

  it('is a tar.gz that tar reads: metadata.json of type ccaas and code.tar.gz holding connection.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'package-'));
    const { bytes } = ccaasPackage('token_1.0', { address: '{{.peername}}-token:9999' });
    writeFileSync(join(dir, 'pkg.tgz'), bytes);

    const listing = execFileSync('tar', ['-tzvf', join(dir, 'pkg.tgz')], { encoding: 'utf8' });
    execFileSync('tar', ['-xzf', join(dir, 'pkg.tgz'), '-C', dir]);
    const code = execFileSync('tar', ['-xzOf', join(dir, 'code.tar.gz'), 'connection.json'], {
      encoding: 'utf8',
    });

    expect(listing).toMatch(/metadata\.json/);
    expect(listing).toMatch(/code\.tar\.gz/);
    expect(JSON.parse(execFileSync('cat', [join(dir, 'metadata.json')], { encoding: 'utf8' }))).toEqual({
      type: 'ccaas',
      label: 'token_1.0',
    });
    expect(JSON.parse(code)).toEqual({
      address: '{{.peername}}-token:9999',
      dial_timeout: '10s',
      tls_required: false,
    });
    expect(gunzipSync(bytes).subarray(136, 147).toString()).toBe('00000000000'); // mtime 0
  });

  it('refuses a label the peer would reject', () => {
    expect(() => ccaasPackage('token 1.0', { address: 'x:1' })).toThrow(/invalid chaincode label/);
  });
});
