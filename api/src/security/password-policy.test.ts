import { describe, expect, it } from 'vitest';
import { passwordWeakness } from './password-policy.js';

describe('password policy (zxcvbn-ts lists and estimate)', () => {
  it.each(['12345678', 'password1', 'qwertyuiop', 'iloveyou', 'alice1234'])(
    'refuses the common login password %s, saying why',
    (password) => {
      expect(passwordWeakness('login', password, ['alice'])).toMatch(/: use a longer passphrase/);
    },
  );

  it.each(['correct horse battery', 'login-password-1', 'Tr0ub4dor&3 but longer'])(
    'accepts the login password %s',
    (password) => {
      expect(passwordWeakness('login', password)).toBeUndefined();
    },
  );

  it.each(['123456', '000000', '654321', '112233', '246810', 'abcdef', 'password'])(
    'refuses the trivial payment password %s',
    (pin) => {
      expect(passwordWeakness('payment', pin)).toMatch(/: use a random PIN/);
    },
  );

  it.each(['739104', '482915', 'pay-123456'])('accepts the payment password %s', (pin) => {
    expect(passwordWeakness('payment', pin)).toBeUndefined();
  });
});
