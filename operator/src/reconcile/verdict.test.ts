import { describe, expect, it } from 'vitest';
import { isUnreachable } from './verdict.js';

describe('isUnreachable', () => {
  it.each([
    'Calling enroll endpoint failed with error [Error: connect ECONNREFUSED 10.96.252.153:7054]',
    'cscc GetChannels at wallet-0:7051: 14 UNAVAILABLE: No connection established',
    'getaddrinfo ENOTFOUND wallet-2.wallet.svc.cluster.local',
  ])('is true for %s', (message) => {
    expect(isUnreachable(new Error(message))).toBe(true);
  });

  it('looks through causes (a step that wraps the connection error)', () => {
    const wrapped = new Error('join payments failed after 20 attempts', {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:9443'),
    });
    expect(isUnreachable(wrapped)).toBe(true);
  });

  it.each([
    'spec.ca nowhere-ca names no FabricCA',
    'endorsement policy failure',
    '2 UNKNOWN: chaincode definition for token exists',
  ])('is false for %s', (message) => {
    expect(isUnreachable(new Error(message))).toBe(false);
  });
});
