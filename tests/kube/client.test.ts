import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Informer,
  KubeClient,
  KubeError,
  LeaderElector,
  loadKubeConfig,
  type CollectionRef,
  type KubeObject,
} from '@fabric-wallet/operator/kube';
import { startControlPlane, type ControlPlane } from '../support/kube.js';
import { until } from '../support/until.js';

const NS = 'informer';
const CONFIG_MAPS = `/api/v1/namespaces/${NS}/configmaps`;

const configMap = (name: string, app: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS, labels: { app } },
  data: { name },
});

type Change = `${'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC'} ${string}`;

/** An informer on the test's ConfigMaps (label app=`app`) that records what it was told. */
function informerOn(client: KubeClient, app: string): { informer: Informer; changes: Change[] } {
  const changes: Change[] = [];
  const informer = new Informer(client, {
    path: CONFIG_MAPS,
    labelSelector: `app=${app}`,
    resyncMs: 3_600_000,
    onChange: (object, type) => changes.push(`${type} ${object.metadata.name}`),
  });
  return { informer, changes };
}

/** Waits until the informer told `change`. */
const told = (changes: readonly Change[], change: Change) =>
  until(`${change} to be told`, () => Promise.resolve(changes.includes(change) || undefined));

/**
 * Its first list answers as an old snapshot would: resourceVersion 1 (long compacted away on
 * any API server) and without the objects named in `hidden`. Later lists are the server's.
 */
class StaleFirstList extends KubeClient {
  lists = 0;
  hidden: readonly string[] = [];

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the signature it overrides
  override async list<T extends KubeObject>(
    target: string | CollectionRef,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata: { resourceVersion: string } }> {
    const list = await super.list<T>(target, labelSelector);
    this.lists += 1;
    if (this.lists > 1) return list;
    return {
      items: list.items.filter((item) => !this.hidden.includes(item.metadata.name)),
      metadata: { resourceVersion: '1' },
    };
  }
}

describe('Kubernetes access on client-node, against a real kube-apiserver', () => {
  let plane: ControlPlane;
  let client: KubeClient;

  beforeAll(async () => {
    // ConfigMaps straight from etcd: a watch from a compacted resourceVersion gets 410 at once.
    plane = await startControlPlane({ uncached: ['configmaps'] });
    client = new KubeClient(loadKubeConfig(plane.kubeconfig));
    expect((await plane.kubectl('create', 'namespace', NS)).code).toBe(0);
  });

  afterAll(async () => {
    await client.close();
    await plane.stop();
  });

  it('carries the server’s reason and message when it rejects an object', async () => {
    const invalid = configMap('Not_A_Name', 'invalid');

    const error = await client.createIfMissing(invalid, 'test').catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ status: 422, reason: 'Invalid' });
    expect((error as Error).message).toContain('metadata.name: Invalid value: "Not_A_Name"');
  });

  it('lists, then tells each change the watch brings, and keeps the cache to match', async () => {
    await client.apply(configMap('before', 'watch'), 'test');
    await client.apply(configMap('unselected', 'else'), 'test');
    const { informer, changes } = informerOn(client, 'watch');

    await informer.start();
    await client.apply(configMap('after', 'watch'), 'test');
    await client.apply({ ...configMap('before', 'watch'), data: { name: 'changed' } }, 'test');
    await client.delete(`${CONFIG_MAPS}/after`);
    await told(changes, 'DELETED after');
    await informer.stop();

    expect(informer.hasSynced).toBe(true);
    expect(changes).toEqual(['ADDED before', 'ADDED after', 'MODIFIED before', 'DELETED after']);
    expect(informer.list().map((object) => object.metadata.name)).toEqual(['before']);
    expect(informer.get(NS, 'before')?.data).toEqual({ name: 'changed' });
  });

  it('relists when its resourceVersion is too old to watch from (410 Gone) and reports what it missed', async () => {
    await client.apply(configMap('kept', 'relist'), 'test');
    await client.apply(configMap('missed', 'relist'), 'test');
    await plane.compactHistory();
    const stale = new StaleFirstList(loadKubeConfig(plane.kubeconfig));
    stale.hidden = ['missed'];
    const { informer, changes } = informerOn(stale, 'relist');

    await informer.start();
    await told(changes, 'ADDED missed');
    await client.apply(configMap('later', 'relist'), 'test');
    await told(changes, 'ADDED later');
    await informer.stop();
    await stale.close();

    expect(stale.lists).toBe(2);
    // What the first list had is not told again: the relist found it unchanged.
    expect(changes).toEqual(['ADDED kept', 'ADDED missed', 'ADDED later']);
  });

  it('elects one leader on a Lease, and the other candidate takes over once it steps down', async () => {
    const logs: string[] = [];
    const candidate = (identity: string) =>
      new LeaderElector(client, {
        namespace: NS,
        name: 'election',
        identity,
        leaseDurationSeconds: 15,
        retryPeriodMs: 100,
        log: (line) => logs.push(line),
      });
    const [first, second] = [candidate('first'), candidate('second')];
    const led: string[] = [];
    const lease = async () =>
      (
        await client.get<
          KubeObject & { spec: { holderIdentity?: string; renewTime?: string; leaseTransitions?: number } }
        >(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/election`)
      )?.spec;

    const firstRun = first.run(
      () => led.push('first'),
      () => led.push('first lost'),
    );
    await until('first to lead', () => Promise.resolve(first.isLeader || undefined));
    const secondRun = second.run(
      () => led.push('second'),
      () => led.push('second lost'),
    );
    // Three renewals by the leader take three retry periods: the other candidate tried meanwhile.
    const renewals = new Set<string>();
    await until('three renewals while both compete', async () => {
      renewals.add((await lease())?.renewTime ?? '');
      return renewals.size > 3 ? true : undefined;
    });
    const whileFirstLeads = { first: first.isLeader, second: second.isLeader };
    await first.stop();
    await firstRun;
    await until('second to lead', () => Promise.resolve(second.isLeader || undefined));
    await second.stop();
    await secondRun;

    expect(whileFirstLeads).toEqual({ first: true, second: false });
    expect(led).toEqual(['first', 'second']);
    expect(logs).toContain('leader election: first is the leader');
    expect((await lease())?.leaseTransitions).toBe(1);
  });
});
