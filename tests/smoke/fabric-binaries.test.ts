import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccaasBuilderDir, fabricConfigDir, toolBin, toolVersion } from '@fabric-wallet/operator/tools';
import { run } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('Fabric binaries', () => {
  const label = toolVersion('FABRIC_VERSION');
  const commit = toolVersion('FABRIC_SOURCE_COMMIT').slice(0, 12);

  it.each(['peer', 'orderer'])('%s version reports the pinned Fabric release and commit', async (binary) => {
    const { code, output } = await run(toolBin('fabric', binary), ['version']);

    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`^ Version: ${label.replaceAll('.', '\\.')}$`, 'm'));
    expect(output).toContain(`Commit SHA: ${commit}`);
  });

  it('osnadmin runs (it has no version command)', async () => {
    const { code, output } = await run(toolBin('fabric', 'osnadmin'), ['--help']);

    expect(code, output).toBe(0);
    expect(output).toContain('Orderer Service Node');
  });

  it('configtxgen -version runs and reports the pinned Fabric version', async () => {
    const { code, output } = await run(toolBin('fabric', 'configtxgen'), ['-version']);

    expect(code, output).toBe(0);
    expect(output).toContain(`Version: ${label}`);
  });

  it('ships the sample core.yaml, orderer.yaml and configtx.yaml beside the binaries', async () => {
    const core = await readFile(join(fabricConfigDir(), 'core.yaml'), 'utf8');
    const orderer = await readFile(join(fabricConfigDir(), 'orderer.yaml'), 'utf8');
    const configtx = await readFile(join(fabricConfigDir(), 'configtx.yaml'), 'utf8');

    expect(core).toContain('externalBuilders');
    expect(orderer).toContain('ChannelParticipation');
    expect(configtx).toContain('EtcdRaft');
  });
});

describe("Fabric's CCaaS external builder, built from the same release", () => {
  let temp: TempDir;
  let dir: string;
  const bin = (step: string) => join(ccaasBuilderDir(), 'bin', step);
  const tlsConnection = {
    address: '{{.peername}}-token:9999',
    dial_timeout: '10s',
    tls_required: true,
    client_auth_required: true,
    root_cert: '-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n',
    client_cert: '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n',
    // A key made for this run: the builder must carry it through unchanged.
    client_key: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };

  beforeAll(async () => {
    temp = await tempDir('ccaas-builder');
    dir = temp.path;
    await mkdir(join(dir, 'src'), { recursive: true });
    await mkdir(join(dir, 'meta'), { recursive: true });
    await writeFile(join(dir, 'meta', 'metadata.json'), '{"type":"ccaas","label":"token_1.0"}');
    await writeFile(join(dir, 'src', 'connection.json'), JSON.stringify(tlsConnection));
  });

  afterAll(async () => {
    await temp.remove();
  });

  it('is the release build: three binaries, not scripts', async () => {
    for (const step of ['detect', 'build', 'release']) {
      const head = (await readFile(bin(step))).subarray(0, 4);
      expect(head.toString('latin1'), step).toBe('\x7fELF');
    }
  });

  it('detects a ccaas package and declines any other type', async () => {
    await mkdir(join(dir, 'other'), { recursive: true });
    await writeFile(join(dir, 'other', 'metadata.json'), '{"type":"node","label":"x"}');

    const ccaas = await run(bin('detect'), [join(dir, 'src'), join(dir, 'meta')]);
    const node = await run(bin('detect'), [join(dir, 'src'), join(dir, 'other')]);

    expect(ccaas.code, ccaas.output).toBe(0);
    expect(node.code).not.toBe(0);
  });

  it('builds and releases connection.json with the peer name filled in and the TLS material kept', async () => {
    const env = { CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: '{"peername":"wallet-peer-1"}' };

    const built = await run(bin('build'), [join(dir, 'src'), join(dir, 'meta'), join(dir, 'out')], env);
    const released = await run(bin('release'), [join(dir, 'out'), join(dir, 'release')]);

    expect(built.code, built.output).toBe(0);
    expect(released.code, released.output).toBe(0);
    const connection = JSON.parse(
      await readFile(join(dir, 'release', 'chaincode', 'server', 'connection.json'), 'utf8'),
    ) as unknown;
    expect(connection).toEqual({ ...tlsConnection, address: 'wallet-peer-1-token:9999' });
  });

  it('fails the build with a message when the package has no connection.json', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });

    const built = await run(bin('build'), [join(dir, 'empty'), join(dir, 'meta'), join(dir, 'out2')]);

    expect(built.code).not.toBe(0);
    expect(built.output).toMatch(/connection\.json not found/);
  });

  it('fails the build when a placeholder has no value in the builder configuration', async () => {
    const built = await run(bin('build'), [join(dir, 'src'), join(dir, 'meta'), join(dir, 'out3')], {
      CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: '{"other":"x"}',
    });

    expect(built.code).not.toBe(0);
    expect(built.output).toContain('peername');
  });
});
