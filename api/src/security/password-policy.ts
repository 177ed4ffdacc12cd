import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * Which new passwords are refused (NIST SP 800-63B section 3.1.1.2: refuse values from lists
 * of commonly used or compromised passwords, repetitive or sequential characters, and
 * context-specific words). The lists and the guess estimate are zxcvbn-ts's (about 40,000
 * common passwords, English words and names, keyboard patterns, dates, sequences, repeats).
 *
 * - A login password needs zxcvbn score 3 or more (about 10^8 guesses or more: "safely
 *   unguessable" in zxcvbn's terms); the username inside it does not count.
 * - A payment password may be a numeric PIN (the attempt counter allows five guesses, then
 *   locks), so it needs 10^4 estimated guesses: a random six-digit PIN passes (about 10^5),
 *   while 123456, 000000, 112233, 246810 or a common password do not.
 */
const LOGIN_MIN_SCORE = 3;
const PAYMENT_MIN_GUESSES_LOG10 = 4;

let estimator: ZxcvbnFactory | undefined;
/** Built on first use: loading the dictionaries takes a moment that plain API calls never pay. */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return estimator;
}

/** Why `secret` is too easy to guess as a new password of this kind, or undefined when it is not. */
export function passwordWeakness(
  kind: 'login' | 'payment',
  secret: string,
  context: readonly string[] = [],
): string | undefined {
  const result = zxcvbn().check(secret, [...context]);
  const weak =
    kind === 'login' ? result.score < LOGIN_MIN_SCORE : result.guessesLog10 < PAYMENT_MIN_GUESSES_LOG10;
  if (!weak) return undefined;
  const why = result.feedback.warning ?? 'This is easy to guess.';
  const suggestion =
    kind === 'login'
      ? 'use a longer passphrase of several uncommon words'
      : 'use a random PIN or a phrase, not a sequence, a repeat or a common password';
  return `${why.replace(/\.$/, '')}: ${suggestion}`;
}
