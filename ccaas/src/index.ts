import { CinemaContract } from './cinema-contract.js';
import { TokenContract } from './token-contract.js';

export { CinemaContract } from './cinema-contract.js';
export { TokenContract } from './token-contract.js';
export { EventName } from './events.js';
export type * from './model.js';
export type * from './events.js';

/** The contracts the chaincode serves; the first (token) is the default contract. */
export const contracts = [TokenContract, CinemaContract];
