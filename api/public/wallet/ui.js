// DOM helpers and the one way a form runs its action. Every value from the server is written
// with textContent or as an attribute value, never as HTML.

import { ApiError } from './api.js';
import { AmountError } from './money.js';

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

function assign(element, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

const present = (children) => children.flat().filter((child) => child !== undefined && child !== null);

/** An HTML element: el('p', { class: 'note', text: 'Hi' }, ...children). */
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  assign(element, props);
  element.append(...present(children));
  return element;
}

/** An SVG element, the same way. */
export function svg(tag, props = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  assign(element, props);
  element.append(...present(children));
  return element;
}

/** "2026-12-01T19:30:00Z" in the reader's own words and time zone. */
export const when = (iso) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The same, shorter, for tables: "Nov 30, 9:54 PM". */
export const whenShort = (iso) =>
  new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });

/** A transaction id or an address cut to its first characters, the whole one in a tooltip. */
export const shortId = (id) => el('code', { title: id, text: id.length > 12 ? `${id.slice(0, 10)}…` : id });

/**
 * Writes `result` into a feedback line: `tone` is pending, ok or error. `result` is text or
 * { text, txId }: a transaction id is shown whole (it can be looked up and copied).
 */
export function report(target, result, tone) {
  const { text, txId } = typeof result === 'string' ? { text: result } : result;
  target.dataset.tone = tone;
  target.replaceChildren(
    text,
    ...(txId ? [' Transaction ', el('code', { class: 'txid', text: txId }), '.'] : []),
  );
}

/** A picture's key: [[class, label], ...] as coloured squares with their words. */
export function legend(entries) {
  return el(
    'p',
    { class: 'legend' },
    ...entries.flatMap(([kind, label]) => [el('span', { class: `swatch ${kind}` }), ` ${label} `]),
  );
}

/** Empties a feedback line. */
export function clear(target) {
  delete target.dataset.tone;
  target.replaceChildren();
}

/** The page-wide message (signing in and out); `tone` is info, ok or error. */
export function say(text, tone = 'info') {
  report($('#message'), text, tone);
}

const messageOf = (error) => (error instanceof Error ? error.message : String(error));
const valuesOf = (form) => Object.fromEntries(new FormData(form).entries());

/** A user action's Idempotency-Key, kept per form while its answer is unknown (see onAction). */
let pendingKeys = new WeakMap();

/** Forgets the keys of unanswered actions (signing out: the next user starts afresh). */
export function forgetPendingKeys() {
  pendingKeys = new WeakMap();
}

function keyFor(form, values) {
  // The payment password is not part of the request's fingerprint on the server either.
  const secret = new Set($$('input[type=password]', form).map((input) => input.name));
  const fingerprint = JSON.stringify(Object.entries(values).filter(([name]) => !secret.has(name)));
  const kept = pendingKeys.get(form);
  if (kept?.fingerprint === fingerprint) return kept.key;
  const key = crypto.randomUUID();
  pendingKeys.set(form, { fingerprint, key });
  return key;
}

function markInvalid(form, error) {
  const input = error instanceof AmountError && error.field ? form.elements.namedItem(error.field) : null;
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/**
 * Runs a form's action and shows what happens. While it runs, the submit button is disabled
 * and says `pending`, and the form's feedback line says so too; a second click or Enter does
 * nothing. Then the feedback shows the result (text, or { text, txId }) or the problem's
 * detail. Password fields are cleared either way.
 *
 * With `idempotent` (payments, recharges, purchases) `run` receives an Idempotency-Key made
 * for this user action. That key makes a retry safe: when no answer came back (the
 * connection dropped, a 5xx), the payment may or may not have happened, and sending the same
 * form again reuses the key, so the server answers with the first result instead of paying
 * twice. A definite answer, or a changed form, starts a new key.
 */
export function onAction(form, { pending, run, idempotent = false }) {
  const feedback = $('.feedback', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const submit = $('[type=submit]', form);
    const label = submit.textContent;
    const values = valuesOf(form);
    const idempotencyKey = idempotent ? keyFor(form, values) : undefined;
    for (const input of $$('[aria-invalid]', form)) input.removeAttribute('aria-invalid');
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    submit.textContent = pending;
    report(feedback, `${pending}`, 'pending');
    try {
      const result = await run(values, { form, idempotencyKey });
      pendingKeys.delete(form);
      report(feedback, result, 'ok');
    } catch (error) {
      if (!(error instanceof ApiError && error.unsettled)) pendingKeys.delete(form);
      report(feedback, messageOf(error), 'error');
      markInvalid(form, error);
    } finally {
      form.removeAttribute('aria-busy');
      submit.disabled = false;
      submit.textContent = label;
      for (const input of $$('input[type=password]', form)) input.value = '';
    }
  });
}

/** Runs `work` for a button that is not in a form, once at a time, reporting failures to `target`. */
export function onClick(button, target, work) {
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    try {
      await work();
    } catch (error) {
      report(target, messageOf(error), 'error');
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
}

/** `parse` of the page's money for the field `name`, naming the field when the text is not an amount. */
export function amountField(money, values, name) {
  try {
    return money.parse(values[name] ?? '');
  } catch (error) {
    if (error instanceof AmountError) error.field = name;
    throw error;
  }
}
