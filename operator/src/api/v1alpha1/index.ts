export * from './types.js';
export { parseNetwork, selects, ValidationError, type Network } from './parse.js';
export { setCondition } from './conditions.js';
