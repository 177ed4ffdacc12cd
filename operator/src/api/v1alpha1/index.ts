export * from './types.js';
export {
  parseNetwork,
  parseResource,
  describeIssues,
  selects,
  ValidationError,
  type Network,
} from './parse.js';
export { setCondition } from './conditions.js';
export { KINDS, KIND_NAMES } from './schema.js';
