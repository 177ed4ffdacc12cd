import { z } from 'zod';
import { describeIssues } from '../api/v1alpha1/parse.js';

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity like 10Gi');
const flag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((value) => value === 'true');
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int(`must be an integer between ${min} and ${max}`)
    .min(min, `must be an integer between ${min} and ${max}`)
    .max(max, `must be an integer between ${min} and ${max}`);
const listenAddress = z
  .string()
  .regex(
    /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-z0-9.-]*):\d{1,5}$/,
    'must be host:port, e.g. 127.0.0.1:8081',
  );

/**
 * The operator's own configuration, from the environment, validated at start: a bad value
 * stops the operator with a list of every problem instead of failing later mid-reconcile.
 */
export const OperatorConfigSchema = z.strictObject({
  KUBECONFIG: z.string().min(1).optional(),
  /** Namespace whose fabricwallet.io resources this operator reconciles (its Role's namespace). */
  WATCH_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name'),
  LEADER_ELECTION: flag.default(true),
  LEASE_NAME: z.string().min(1).default('fabric-wallet-operator'),
  LEASE_DURATION_SECONDS: int(2, 300).default(15),
  LEASE_RETRY_MS: int(100, 60_000).default(2000),
  /** Identity in the Lease; the pod name in a cluster. */
  POD_NAME: z.string().min(1).optional(),
  METRICS_ADDRESS: listenAddress.default('127.0.0.1:8081'),
  RESYNC_SECONDS: int(10, 86_400).default(300),
  CONCURRENCY: int(1, 32).default(4),
  CLUSTER_DOMAIN: z.string().min(1).default('cluster.local'),
  STORAGE_CLASS: z.string().min(1).optional(),
  CA_STORAGE: quantity.default('1Gi'),
  ORDERER_STORAGE: quantity.default('10Gi'),
  PEER_STORAGE: quantity.default('10Gi'),
  CA_IMAGE: z.string().min(1).default('hyperledger/fabric-ca:1.5.21'),
  ORDERER_IMAGE: z.string().min(1).default('hyperledger/fabric-orderer:3.1.5'),
  PEER_IMAGE: z.string().min(1).default('hyperledger/fabric-peer:3.1.5'),
  /** Used for a FabricChaincode without spec.server.image. */
  CHAINCODE_IMAGE: z.string().min(1).default('fabric-wallet/ccaas:latest'),
  /** Run Fabric admin steps (enroll, join, install, approve, commit) when pods are ready. */
  FABRIC_ADMIN: flag.default(true),
});

export type OperatorConfig = z.output<typeof OperatorConfigSchema>;

export class OperatorConfigError extends Error {
  override readonly name = 'OperatorConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid operator configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads the variables the schema knows (others are ignored); throws listing every problem. */
export function loadOperatorConfig(env: NodeJS.ProcessEnv): OperatorConfig {
  const known = Object.fromEntries(
    Object.keys(OperatorConfigSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const result = OperatorConfigSchema.safeParse(known, {
    error: (issue) =>
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
  });
  if (!result.success) throw new OperatorConfigError(describeIssues(result.error));
  return result.data;
}
