import { describe, expect, it } from 'vitest';
import { parseRejection } from './errors.js';

describe('parseRejection', () => {
  it('finds the chaincode’s code inside a gateway error that starts with its own upper-case words', () => {
    const text =
      '10 ABORTED: failed to endorse transaction, see attached details for more info | chaincode response 500, SEAT_SOLD: seat A1 of s1 is already sold';

    const rejection = parseRejection(text);

    expect(rejection?.code).toBe('SEAT_SOLD');
    expect(rejection?.detail).toBe('seat A1 of s1 is already sold');
  });

  it('returns undefined when no known code is present', () => {
    expect(parseRejection('14 UNAVAILABLE: connection refused')).toBeUndefined();
  });
});
