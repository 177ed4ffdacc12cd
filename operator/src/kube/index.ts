export {
  KubeClient,
  KubeError,
  KubeTimeoutError,
  loadKubeConfig,
  type KubeObject,
  type ObjectRef,
  type CollectionRef,
} from './client.js';
export { Informer, type InformerOptions } from './informer.js';
export { loadOperatorConfig, OperatorConfigError, type OperatorConfig } from './config.js';
export { Controller, PLURALS } from './controller.js';
export { LeaderElector, microTime } from './leader.js';
export { WorkQueue } from './queue.js';
export { PORTS, serviceHost, nodeName } from './objects.js';
export { caSecretName, caServerName } from './workloads.js';
export { SecretMaterialStore } from './secret-store.js';
