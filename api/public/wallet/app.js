// The web wallet: plain ES modules over the same API the OpenAPI document describes, no build
// step. This module holds the page's state: signed out (only sign-in and registration show)
// or signed in (only the wallet shows), and which section is open. Each section lives in a
// module of its own and exports { load, reset }.

import { api, onSessionExpired, session } from './api.js';
import { accountScreens } from './account.js';
import { billsScreen } from './bills.js';
import { cinemaScreen } from './cinema.js';
import { merchantScreen } from './merchant.js';
import { createMoney } from './money.js';
import { paymentScreens } from './payments.js';
import { $, $$, clear, forgetPendingKeys, say } from './ui.js';
import { walletScreen } from './wallet.js';

const config = await (await fetch('/wallet/config.json')).json();
const money = createMoney(config);

for (const label of $$('[data-currency]')) label.textContent = `(${money.currency})`;
for (const input of $$('input[data-amount]')) input.placeholder = money.example;

/** What every section may use: the money rule, who is signed in, and the page's transitions. */
const ctx = {
  money,
  // The development payment provider: only then can the page confirm a recharge itself.
  devPayments: config.devPayments === true,
  me: undefined,
  signIn,
  signOut,
  showTab,
};

const screens = {
  wallet: walletScreen(ctx),
  ...paymentScreens(ctx),
  bills: billsScreen(ctx),
  cinema: cinemaScreen(ctx),
  merchant: merchantScreen(ctx),
  ...accountScreens(ctx),
};

function showSignedIn(signedIn) {
  $('#signed-out').hidden = signedIn;
  $('#signed-in').hidden = !signedIn;
  $('#account').hidden = !signedIn;
}

async function showTab(name) {
  for (const tab of $$('[data-tab]')) {
    if (tab.dataset.tab === name) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  for (const panel of $$('.tab')) panel.hidden = panel.id !== `tab-${name}`;
  clear($('#message'));
  try {
    await screens[name].load?.();
  } catch (error) {
    // A 401 already took the page back to sign-in, with its own message.
    if (session.token) say(error.message, 'error');
  }
}

/** Enters the signed-in state with the session's profile (after login, or a reload of a signed-in tab). */
async function signIn(greeting) {
  const me = await api('GET', '/v1/me');
  ctx.me = me;
  $('#who').textContent = me.username;
  $('#role').textContent = me.role;
  $('[data-tab=merchant]').hidden = me.role !== 'merchant';
  showSignedIn(true);
  await showTab('wallet');
  if (greeting) say(greeting, 'ok');
  $('#wallet-title').focus();
}

/** Back to sign-in: nothing of the last user stays on the page. */
function signOut(message, tone = 'info') {
  session.end();
  ctx.me = undefined;
  forgetPendingKeys();
  for (const screen of Object.values(screens)) screen.reset?.();
  for (const form of $$('#signed-in form')) form.reset();
  for (const feedback of $$('.feedback')) feedback.replaceChildren();
  showSignedIn(false);
  say(message, tone);
  $('#login-form [name=username]').focus();
}

onSessionExpired(() => {
  signOut('Your session has ended. Sign in again to continue.', 'error');
});

for (const tab of $$('[data-tab]')) tab.addEventListener('click', () => showTab(tab.dataset.tab));

// Both states start hidden, so nothing can be submitted before the forms are wired.
if (session.token) {
  await signIn().catch((error) => {
    // A 401 already took the page back to sign-in, with its own message.
    if (!session.token) return;
    showSignedIn(false);
    say(error.message, 'error');
  });
} else {
  showSignedIn(false);
}
