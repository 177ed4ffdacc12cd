import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccaasBuilderDir, fabricConfigDir, toolBin, toolVersion } from '@fabric-wallet/operator/tools';
import { run } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('Fabric binaries', () => {
  const label = toolVersion('FABRIC_VERSION_LABEL');

  it.each(['peer', 'orderer'])('%s version reports the pinned Fabric version', async (binary) => {
    const { code, output } = await run(toolBin('fabric', binary), ['version']);

    expect(code, output).toBe(0);
    expect(output).toContain(`Version: ${label}`);
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

describe('the CCaaS external builder', () => {
  let temp: TempDir;
  let dir: string;
  const bin = (step: string) => join(ccaasBuilderDir(), 'bin', step);

  beforeAll(async () => {
    temp = await tempDir('ccaas-builder');
    dir = temp.path;
    await mkdir(join(dir, 'src'), { recursive: true });
    await mkdir(join(dir, 'meta'), { recursive: true });
    await writeFile(join(dir, 'meta', 'metadata.json'), '{"type":"ccaas","label":"token_1.0"}');
    await writeFile(
      join(dir, 'src', 'connection.json'),
      '{"address":"{{.peername}}-token:9999","dial_timeout":"10s","tls_required":false}',
    );
  });

  afterAll(async () => {
    await temp.remove();
  });

  it('detects a ccaas package and declines any other type', async () => {
    await mkdir(join(dir, 'other'), { recursive: true });
    await writeFile(join(dir, 'other', 'metadata.json'), '{"type":"node","label":"x"}');

    const ccaas = await run(bin('detect'), [join(dir, 'src'), join(dir, 'meta')]);
    const node = await run(bin('detect'), [join(dir, 'src'), join(dir, 'other')]);

    expect(ccaas.code).toBe(0);
    expect(node.code).not.toBe(0);
  });

  it('builds and releases connection.json with the peer name filled in', async () => {
    const env = { CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: '{"peername":"wallet-peer-1"}' };

    const built = await run(bin('build'), [join(dir, 'src'), join(dir, 'meta'), join(dir, 'out')], env);
    const released = await run(bin('release'), [join(dir, 'out'), join(dir, 'release')]);

    expect(built.code, built.output).toBe(0);
    expect(released.code, released.output).toBe(0);
    const connection = JSON.parse(
      await readFile(join(dir, 'release', 'chaincode', 'server', 'connection.json'), 'utf8'),
    ) as {
      address: string;
    };
    expect(connection.address).toBe('wallet-peer-1-token:9999');
  });

  it('fails the build with a message when the package has no connection.json', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });

    const built = await run(bin('build'), [join(dir, 'empty'), join(dir, 'meta'), join(dir, 'out2')]);

    expect(built.code).not.toBe(0);
    expect(built.output).toContain('connection.json is missing');
  });
});
