import { describe, expect, it } from 'vitest';
import { errorText } from './error-text.js';

describe('the text of a Fabric error', () => {
  it("appends each peer's detail to the gateway's message", () => {
    const error = Object.assign(new Error('10 ABORTED: failed to endorse transaction'), {
      details: [{ message: 'chaincode response 500, insufficient funds' }, { message: 'peer down' }],
    });

    const text = errorText(error);

    expect(text).toBe(
      '10 ABORTED: failed to endorse transaction | chaincode response 500, insufficient funds | peer down',
    );
  });

  it('is the message alone when there are no details, and the value itself for a non-error', () => {
    expect(errorText(new Error('14 UNAVAILABLE: connection refused'))).toBe(
      '14 UNAVAILABLE: connection refused',
    );
    expect(errorText('plain text')).toBe('plain text');
    expect(errorText(undefined)).toBe('undefined');
  });
});
