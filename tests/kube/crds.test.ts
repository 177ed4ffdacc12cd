import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdFiles } from '@fabric-wallet/operator/crds';
import { parseNetwork } from '@fabric-wallet/operator/api';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { startControlPlane, type ControlPlane } from '../support/kube.js';

const samplesDir = join(repoRoot, 'manifests', 'samples');
const API_VERSION = 'apiVersion: fabricwallet.io/v1alpha1';

describe('CRDs generated from the resource schemas', () => {
  it.each(['manifests/crds', 'helm/fabric-wallet/crds'])(
    'are committed in %s exactly as the generator writes them',
    (dir) => {
      const generated = crdFiles();
      const committed = readdirSync(join(repoRoot, dir)).filter((name) => name.endsWith('.yaml'));

      expect(committed.sort()).toEqual([...generated.keys()].sort());
      for (const [name, text] of generated)
        expect(readFileSync(join(repoRoot, dir, name), 'utf8'), name).toBe(text);
    },
  );

  it('has one sample per kind, and together the samples make a valid network', () => {
    const text = readdirSync(samplesDir)
      .map((name) => readFileSync(join(samplesDir, name), 'utf8'))
      .join('\n---\n');

    const network = parseNetwork(text);

    expect(Object.values(network).map((items: unknown[]) => items.length > 0)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('CRDs on a real kube-apiserver', () => {
  let plane: ControlPlane;
  const apply = (file: string, ...extra: string[]) =>
    plane.kubectl('apply', '--server-side', '--field-manager=test', '-f', file, ...extra);
  const applyText = async (name: string, yaml: string) => {
    const file = join(plane.dir.path, name);
    await writeFile(file, yaml);
    return apply(file);
  };

  beforeAll(async () => {
    plane = await startControlPlane();
    const installed = await apply(join(repoRoot, 'manifests', 'crds'));
    expect(installed.code, installed.output).toBe(0);
    const established = await plane.kubectl(
      'wait',
      '--for=condition=Established',
      'crd',
      '--all',
      '--timeout=60s',
    );
    expect(established.code, established.output).toBe(0);
  });

  afterAll(async () => {
    await plane.stop();
  });

  it('installs all five kinds in group fabricwallet.io', async () => {
    const { output } = await plane.kubectl('api-resources', '--api-group=fabricwallet.io', '-o', 'name');

    expect(output.trim().split('\n').sort()).toEqual([
      'fabriccas.fabricwallet.io',
      'fabricchaincodes.fabricwallet.io',
      'fabricchannels.fabricwallet.io',
      'fabricorderersets.fabricwallet.io',
      'fabricpeersets.fabricwallet.io',
    ]);
  });

  it('accepts every sample, applies defaults and shows the printer columns', async () => {
    const result = await apply(samplesDir);
    expect(result.code, result.output).toBe(0);

    const policy = await plane.kubectl(
      'get',
      'fabricpeerset',
      'wallet',
      '-o',
      'jsonpath={.spec.scaleDownPolicy}',
    );
    const table = await plane.kubectl('get', 'fabricpeersets');

    expect(policy.output).toBe('Retain');
    expect(table.output).toMatch(/NAME\s+CA\s+DESIRED\s+CURRENT\s+AVAILABLE\s+READY\s+AGE/);
    expect(table.output).toMatch(/wallet\s+wallet-ca\s+2\s/);
  });

  it('scales a FabricPeerSet through the scale subresource', async () => {
    const created = await applyText(
      'scalable.yaml',
      `${API_VERSION}\nkind: FabricPeerSet\nmetadata: {name: scalable}\nspec: {ca: wallet-ca, replicas: 1}\n`,
    );
    expect(created.code, created.output).toBe(0);

    const scaled = await plane.kubectl('scale', 'fabricpeerset/scalable', '--replicas=3');
    const replicas = await plane.kubectl(
      'get',
      'fabricpeerset',
      'scalable',
      '-o',
      'jsonpath={.spec.replicas}',
    );

    expect(scaled.code, scaled.output).toBe(0);
    expect(replicas.output).toBe('3');
  });

  it.each([
    [
      'negative replicas',
      'kind: FabricPeerSet\nmetadata: {name: bad-replicas}\nspec: {ca: wallet-ca, replicas: -1}',
      /spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0/,
    ],
    [
      'an unknown consensus type',
      'kind: FabricOrdererSet\nmetadata: {name: bad-consensus}\nspec: {ca: orderer-ca, consensus: kafka}',
      /spec\.consensus: Unsupported value: "kafka": supported values: "etcdraft", "BFT"/,
    ],
    [
      'a missing org',
      'kind: FabricCA\nmetadata: {name: no-org}\nspec: {mspId: NoOrgMSP}',
      /spec\.org: Required value/,
    ],
    [
      'BFT with too few orderers (CEL rule)',
      'kind: FabricOrdererSet\nmetadata: {name: small-bft}\nspec: {ca: orderer-ca, consensus: BFT, replicas: 3}',
      /BFT needs at least 4 orderers/,
    ],
    [
      'a channel name Fabric refuses (CEL rule on metadata.name)',
      'kind: FabricChannel\nmetadata: {name: 9lives}\nspec: {ordererSet: orderer, peerSelector: {matchLabels: {a: b}}}',
      /metadata\.name must be a valid channel name/,
    ],
    [
      'an empty peer selector',
      'kind: FabricChannel\nmetadata: {name: nobody}\nspec: {ordererSet: orderer, peerSelector: {matchLabels: {}}}',
      /spec\.peerSelector\.matchLabels: Invalid value: 0: spec\.peerSelector\.matchLabels in body should have at least 1 properties/,
    ],
  ])('rejects %s with a clear message', async (name, body, message) => {
    const result = await applyText(`${name.replace(/\W+/g, '-')}.yaml`, `${API_VERSION}\n${body}\n`);

    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(message);
  });

  it('refuses to change a set’s CA, consensus or orderer count once created (CEL transition rules)', async () => {
    const created = await applyText(
      'fixed-sets.yaml',
      `${API_VERSION}\nkind: FabricPeerSet\nmetadata: {name: settled}\nspec: {ca: wallet-ca, replicas: 1}\n---\n` +
        `${API_VERSION}\nkind: FabricOrdererSet\nmetadata: {name: settled}\nspec: {ca: orderer-ca, replicas: 1, consensus: etcdraft}\n`,
    );
    expect(created.code, created.output).toBe(0);

    const moved = await plane.kubectl(
      'patch',
      'fabricpeerset',
      'settled',
      '--type=merge',
      '-p',
      '{"spec":{"ca":"cinema-ca"}}',
    );
    const switched = await plane.kubectl(
      'patch',
      'fabricordererset',
      'settled',
      '--type=merge',
      '-p',
      '{"spec":{"consensus":"BFT","replicas":4}}',
    );

    const resized = await plane.kubectl(
      'patch',
      'fabricordererset',
      'settled',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
    );

    expect(moved.output).toContain('ca cannot be changed once set');
    expect(resized.output).toContain('replicas cannot be changed once set');
    expect(switched.output).toContain('consensus cannot be changed once set');
  });

  it('rejects an unknown field under strict field validation', async () => {
    const file = join(plane.dir.path, 'unknown-field.yaml');
    await writeFile(
      file,
      `${API_VERSION}\nkind: FabricPeerSet\nmetadata: {name: colorful}\nspec: {ca: wallet-ca, color: blue}\n`,
    );

    const result = await plane.kubectl('create', '--validate=strict', '-f', file);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('unknown field "spec.color"');
  });
});
