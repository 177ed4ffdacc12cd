import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { feedbackCases } from './cases/feedback.js';
import { merchantCases } from './cases/merchant.js';
import { moneyCases } from './cases/money.js';
import { pictureCases } from './cases/pictures.js';
import { screenCases } from './cases/screens.js';
import { stateCases } from './cases/state.js';
import { WalletKit } from './wallet-kit.js';

/**
 * The web wallet in a real browser (Debian's headless Chromium driven by playwright-core)
 * against the API over the real network and FerretDB: every flow a user clicks through. One
 * network, API and browser for the file; each case opens its own browser contexts (no session
 * carries over) with its own users, made through the API when the flow under test is not
 * registration itself. No page may meet a Content Security Policy refusal, an uncaught error or
 * a 5xx answer (bad input is always a 4xx with its reason).
 * The first cases save the screenshots of docs/web-wallet.md.
 */
describe('web wallet page in headless Chromium', () => {
  let started: WalletKit | undefined;
  const kit = () => {
    if (!started) throw new Error('the suite did not start');
    return started;
  };

  beforeAll(async () => {
    started = await WalletKit.start();
  });

  afterEach(async () => {
    const problems = await kit().closePages();
    expect(problems, 'CSP refusals, uncaught errors or 5xx answers').toEqual([]);
  });

  afterAll(async () => {
    await started?.stop();
  });

  // First, so that the screenshots show the scene of its own and not the other cases' screenings.
  screenCases(kit);
  stateCases(kit);
  moneyCases(kit);
  feedbackCases(kit);
  pictureCases(kit);
  merchantCases(kit);
});
