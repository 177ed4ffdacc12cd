import type { FabricCA } from '../api/v1alpha1/types.js';
import { OrgPki, type IdentityRequest, type OrgCas } from '../fabric/org-pki.js';
import { orgIdentities } from './names.js';
import type { CaState, Runtime } from './runtime.js';
import { progressing, ready, type Plan } from './verdict.js';

/** FabricCA: the org's CA and TLS CA run, and every identity its spec names is enrolled. */

export interface CaObserved {
  readonly state: CaState;
  readonly fabricAdmin: boolean;
  /** Material store keys already enrolled ("users/admin", "users/issuer"...). */
  readonly enrolled: ReadonlySet<string>;
}

export interface EnrollAction {
  readonly type: 'enroll';
  readonly key: string;
  readonly request: IdentityRequest;
}

export function planCa(ca: FabricCA, observed: CaObserved): Plan<EnrollAction> {
  const fields = { url: observed.state.url, tlsUrl: observed.state.tlsUrl };
  if (!observed.state.cas || !observed.fabricAdmin)
    return {
      actions: [],
      verdict: progressing(
        'WaitingForPods',
        `CA ${ca.metadata.name} not answering yet; its roots and storage are in place`,
        fields,
      ),
    };
  const identities = orgIdentities(ca);
  return {
    actions: identities
      .filter((identity) => !observed.enrolled.has(identity.key))
      .map((identity) => ({ type: 'enroll', ...identity })),
    verdict: ready('Enrolled', `CA available; ${String(identities.length)} identities enrolled`, {
      ...fields,
      registered: identities.map((identity) => identity.request.id),
    }),
  };
}

const pkis = new WeakMap<Runtime, Map<string, OrgPki>>();

/** One OrgPki per runtime and CA (it caches the registrars' enrollment). */
export function pkiOf(runtime: Runtime, ca: FabricCA, cas: OrgCas): OrgPki {
  const byCa = pkis.get(runtime) ?? new Map<string, OrgPki>();
  pkis.set(runtime, byCa);
  const key = `${ca.metadata.name}/${ca.metadata.uid ?? ''}/${cas.ca.url}/${cas.ca.caCert}`;
  let pki = byCa.get(key);
  if (!pki) {
    pki = new OrgPki(cas, runtime.store(ca));
    byCa.set(key, pki);
  }
  return pki;
}

export async function reconcileCa(runtime: Runtime, ca: FabricCA): Promise<Plan<EnrollAction>> {
  await runtime.startCa(ca);
  const state = await runtime.caState(ca);
  const store = runtime.store(ca);
  const enrolled = new Set<string>();
  for (const { key } of orgIdentities(ca)) if (await store.read(ca.spec.org, key)) enrolled.add(key);
  const plan = planCa(ca, { state, fabricAdmin: runtime.fabricAdmin, enrolled });
  if (state.cas) {
    const pki = pkiOf(runtime, ca, state.cas);
    for (const action of plan.actions) {
      await pki.ensure(action.key, action.request);
      runtime.log(`${ca.spec.org}: enrolled ${action.request.id}`);
    }
  }
  return plan;
}
