import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../tools/versions.js';
import { parseNetwork, selects, ValidationError } from './parse.js';

const sample = readFileSync(`${repoRoot}manifests/local/network.yaml`, 'utf8');

function problemsOf(yaml: string): string[] {
  try {
    parseNetwork(yaml);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const ca = (name: string, org: string, msp: string) =>
  `apiVersion: fabricwallet.io/v1alpha1\nkind: FabricCA\nmetadata: {name: ${name}}\nspec: {org: ${org}, mspId: ${msp}}\n`;

describe('parseNetwork', () => {
  it('reads the local network manifest: 3 CAs, 1 orderer, wallet x2 and cinema x1 peers, a channel and the chaincode', () => {
    const network = parseNetwork(sample);

    expect(network.cas.map((c) => c.spec.mspId)).toEqual(['OrdererOrgMSP', 'WalletOrgMSP', 'CinemaOrgMSP']);
    expect(network.ordererSets[0]?.spec).toEqual({ ca: 'orderer-ca', replicas: 1, consensus: 'etcdraft' });
    expect(network.peerSets.map((p) => [p.metadata.name, p.spec.replicas, p.spec.scaleDownPolicy])).toEqual([
      ['wallet', 2, 'Retain'],
      ['cinema', 1, 'Retain'],
    ]);
    expect(network.chaincodes[0]?.spec.server.port).toBe(9999);
    const channel = network.channels[0];
    expect(
      channel && network.peerSets.every((p) => selects(channel.spec.peerSelector, p.metadata.labels)),
    ).toBe(true);
  });

  it.each([
    [
      'negative replicas',
      sample.replace('replicas: 2', 'replicas: -1'),
      'spec.replicas must be an integer between 0 and 16',
    ],
    [
      'an unknown consensus type',
      sample.replace('consensus: etcdraft', 'consensus: kafka'),
      'spec.consensus must be one of etcdraft, BFT',
    ],
    ['a missing org', sample.replace('  org: CinemaOrg\n', ''), 'spec.org is required'],
    [
      'an unknown field',
      sample.replace('  replicas: 1\n  consensus', '  replicas: 1\n  color: blue\n  consensus'),
      'spec.color is not a known field',
    ],
    [
      'a reference to a missing CA',
      sample.replace('ca: cinema-ca', 'ca: nowhere-ca'),
      'spec.ca nowhere-ca names no FabricCA',
    ],
    [
      'a chaincode on a missing channel',
      sample.replace('channel: payments', 'channel: other'),
      'spec.channel other names no FabricChannel',
    ],
    [
      'an endorsement policy Fabric cannot parse',
      sample.replace("version: '1.0'", "version: '1.0'\n  endorsementPolicy: AND('WalletOrgMSP.peer'"),
      "spec.endorsementPolicy is not a valid policy: endorsement policy: expected ')'",
    ],
    [
      'another apiVersion',
      sample.replace(
        'apiVersion: fabricwallet.io/v1alpha1\nkind: FabricPeerSet',
        'apiVersion: v1\nkind: FabricPeerSet',
      ),
      'apiVersion must be fabricwallet.io/v1alpha1',
    ],
  ])('rejects %s with a message saying what is wrong', (_name, yaml, fragment) => {
    expect(problemsOf(yaml).join('\n')).toContain(fragment);
  });

  it('reports every problem at once', () => {
    const yaml = `${ca('a', 'A', 'AMSP')}---\n${ca('b', 'B', 'AMSP')}`.replace('org: B', 'org: 1B');

    const problems = problemsOf(yaml);

    expect(problems.join('\n')).toContain('spec.org must be letters and digits');
  });

  it('rejects two CAs with the same MSP id', () => {
    expect(problemsOf(`${ca('a', 'A', 'SameMSP')}---\n${ca('b', 'B', 'SameMSP')}`)).toContain(
      'FabricCA: two CAs share an mspId',
    );
  });
});
