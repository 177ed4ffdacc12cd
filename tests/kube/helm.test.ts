import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  caServerName,
  loadOperatorConfig,
  PORTS,
  SecretMaterialStore,
  serviceHost,
} from '@fabric-wallet/operator/kube';
import { VaultKeyring } from '@fabric-wallet/api';
import { repoRoot, toolBin } from '@fabric-wallet/operator/tools';
import { startControlPlane, type ControlPlane } from '../support/kube.js';
import { run } from '../support/processes.js';

const chart = join(repoRoot, 'helm', 'fabric-wallet');
const helm = (...args: string[]) => run(toolBin('helm', 'helm'), args);
const NS = 'wallet';

interface Rendered {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

const documents = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as Rendered | null)
    .filter((document): document is Rendered => document !== null);

describe('Helm chart helm/fabric-wallet', () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane();
    const crds = await plane.kubectl('apply', '--server-side', '-f', join(chart, 'crds'));
    expect(crds.code, crds.output).toBe(0);
    await plane.kubectl('wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s');
    await plane.kubectl('create', 'namespace', NS);
  });

  afterAll(async () => {
    await plane.stop();
  });

  it.each([
    [],
    ['-f', join(chart, 'ci', 'full-values.yaml')],
    ['-f', join(chart, 'ci', 'external-mongodb-values.yaml')],
    ['-f', join(chart, 'ci', 'cluster-values.yaml')],
  ])('passes helm lint --strict (values %j)', async (...values) => {
    const { code, output } = await helm('lint', '--strict', chart, ...values);

    expect(code, output).toBe(0);
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('rejects values its schema forbids, naming the field', async () => {
    const { code, output } = await helm('template', 'x', chart, '--set', 'operator.replicas=-1');

    expect(code).not.toBe(0);
    expect(output).toContain("at '/operator/replicas': minimum: got -1, want 0");
  });

  it('refuses development payments unless api.environment is development', async () => {
    const refused = await helm('template', 'x', chart, '--set', 'api.devPayments=true');
    const allowed = await helm(
      'template',
      'x',
      chart,
      '--set',
      'api.devPayments=true',
      '--set',
      'api.environment=development',
    );

    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('api.devPayments mints tokens without a payment provider');
    expect(allowed.code, allowed.output).toBe(0);
    expect(allowed.output).toMatch(/name: API_ENVIRONMENT, value: "development"/);
    expect(allowed.output).toMatch(/name: DEV_PAYMENTS, value: "true"/);
    expect(allowed.output).toMatch(/name: API_RATE_LIMITS, value: "on"/);
  });

  it.each([
    ['default values', []],
    ['every feature on', ['-f', join(chart, 'ci', 'full-values.yaml')]],
    ['an external MongoDB', ['-f', join(chart, 'ci', 'external-mongodb-values.yaml')]],
  ])('renders with %s into objects the API server accepts (server-side dry-run)', async (name, values) => {
    const rendered = await helm('template', 'fw', chart, '--namespace', NS, ...values);
    expect(rendered.code, rendered.output).toBe(0);
    const file = join(plane.dir.path, `${name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(file, rendered.output);

    const applied = await plane.kubectl('apply', '--server-side', '--dry-run=server', '-n', NS, '-f', file);

    expect(applied.code, applied.output).toBe(0);
    const objects = documents(rendered.output);
    for (const object of objects) {
      expect(
        object.metadata.labels?.['app.kubernetes.io/part-of'],
        `${object.kind}/${object.metadata.name}`,
      ).toBe('fabric-wallet');
    }
    const kinds = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/fw-fabric-wallet-operator',
        'Role/fw-fabric-wallet-operator',
        // Two or more operator replicas (2 by default) keep one through a node drain.
        'PodDisruptionBudget/fw-fabric-wallet-operator',
      ]),
    );
    if (name === 'every feature on') {
      expect(kinds).toEqual(
        expect.arrayContaining([
          'FabricCA/wallet-ca',
          'FabricPeerSet/wallet',
          'FabricChannel/payments',
          'FabricChaincode/token',
          'StatefulSet/fw-fabric-wallet-mongodb',
          'Deployment/fw-fabric-wallet-api',
        ]),
      );
    }
    if (name === 'an external MongoDB') expect(kinds).not.toContain('StatefulSet/fw-fabric-wallet-mongodb');
  });

  it('gives the operator a namespaced Role only, with no wildcard', async () => {
    const rendered = await helm('template', 'fw', chart, '--namespace', NS);
    const objects = documents(rendered.output);
    const role = objects.find((object) => object.kind === 'Role') as
      (Rendered & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }) | undefined;

    expect(
      objects.some((object) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding'),
    ).toBe(false);
    expect(
      role?.rules.flatMap((rule) => [...rule.verbs, ...rule.resources, ...rule.apiGroups]),
    ).not.toContain('*');
    expect(role?.rules.find((rule) => rule.resources.includes('secrets'))?.verbs).not.toContain(
      'deletecollection',
    );
  });

  it('runs the operator with leader election on, probes and resource requests', async () => {
    const rendered = await helm('template', 'fw', chart, '--namespace', NS);
    const deployment = documents(rendered.output).find(
      (object) => object.kind === 'Deployment' && object.metadata.name.endsWith('-operator'),
    ) as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            containers: {
              env: { name: string; value?: string }[];
              livenessProbe?: unknown;
              readinessProbe?: unknown;
              resources?: { requests?: Record<string, string> };
            }[];
          };
        };
      };
    };
    const [container] = deployment.spec.template.spec.containers;

    expect(deployment.spec.replicas).toBe(2);
    expect(container?.env).toContainEqual({ name: 'LEADER_ELECTION', value: 'true' });
    expect(container?.livenessProbe).toBeDefined();
    expect(container?.readinessProbe).toBeDefined();
    expect(container?.resources?.requests).toEqual({ cpu: '50m', memory: '128Mi' });
  });

  it('points the API at the objects the operator creates (Secret, ConfigMap and Service names)', async () => {
    const rendered = await helm('template', 'fw', chart, '--namespace', NS, '--set', 'network.enabled=true');
    const api = documents(rendered.output).find(
      (object) => object.kind === 'Deployment' && object.metadata.name.endsWith('-api'),
    ) as unknown as {
      spec: {
        template: {
          spec: {
            containers: { env: { name: string; value?: string }[] }[];
            volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
          };
        };
      };
    };
    const env = Object.fromEntries(
      api.spec.template.spec.containers[0]?.env.map((e) => [e.name, e.value]) ?? [],
    );
    const volumes = Object.fromEntries(
      api.spec.template.spec.volumes.map((v) => [v.name, v.secret?.secretName ?? v.configMap?.name]),
    );
    const config = loadOperatorConfig({ WATCH_NAMESPACE: NS });
    const store = (ca: string) =>
      new SecretMaterialStore(undefined as never, NS, ca, { apiVersion: '', kind: '', name: '', uid: '' });

    expect(volumes.registrar).toBe(store('wallet-ca').secretName('users/api-registrar'));
    expect(volumes.issuer).toBe(store('wallet-ca').secretName('users/issuer'));
    expect(volumes['merchant-registrar']).toBe(store('cinema-ca').secretName('users/cinema-registrar'));
    expect(volumes['wallet-certs']).toBe('wallet-ca-certs');
    expect(env.FABRIC_PEER_ADDRESS).toBe(`${serviceHost('wallet-0', NS, config)}:${String(PORTS.peer)}`);
    expect(env.FABRIC_CA_URL).toBe(`https://${serviceHost('wallet-ca', NS, config)}:${String(PORTS.ca)}`);
    expect(env.FABRIC_CA_NAME).toBe(caServerName('wallet-ca', 'ca'));
    // The web wallet's money rule comes from the chart's values (api.currency, currencyExponent).
    expect([env.WALLET_CURRENCY, env.WALLET_CURRENCY_EXPONENT]).toEqual(['CNY', '2']);
    // The vault keyring: a generated Secret the API reads, holding one usable 32-byte key.
    const vault = documents(rendered.output).find(
      (object) => object.kind === 'Secret' && object.metadata.name === volumes.vault,
    ) as unknown as { data: { keys: string }; metadata: { annotations: Record<string, string> } };
    expect(env.API_VAULT_KEYS_FILE).toBe('/etc/fabric-wallet/vault/keys');
    expect(vault.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const keyring = VaultKeyring.parse(Buffer.from(vault.data.keys, 'base64').toString('utf8'));
    expect(keyring.key(keyring.currentId)).toHaveLength(32);
  });

  it('ships the plain-YAML operator install rendered from this chart, and it installs', async () => {
    const fresh = await run('bash', [join(repoRoot, 'scripts', 'generate-install.sh'), '--print']);
    const committed = readFileSync(join(repoRoot, 'manifests', 'install', 'operator.yaml'), 'utf8');
    expect(fresh.code, fresh.output).toBe(0);
    expect(committed).toBe(fresh.output);

    // Applied for real (a dry run cannot create the namespace its other objects need).
    const applied = await plane.kubectl(
      'apply',
      '--server-side',
      '-f',
      join(repoRoot, 'manifests', 'install', 'operator.yaml'),
    );
    const operator = await plane.kubectl(
      '-n',
      'fabric-wallet',
      'get',
      'deployment,role,rolebinding,serviceaccount',
      '-l',
      'app.kubernetes.io/part-of=fabric-wallet',
      '-o',
      'name',
    );

    expect(applied.code, applied.output).toBe(0);
    expect(operator.output.trim().split('\n').sort()).toEqual([
      'deployment.apps/fabric-wallet-operator',
      'role.rbac.authorization.k8s.io/fabric-wallet-operator',
      'rolebinding.rbac.authorization.k8s.io/fabric-wallet-operator',
      'serviceaccount/fabric-wallet-operator',
    ]);
  });
});
