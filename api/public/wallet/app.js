// The web wallet: a page over the same API the OpenAPI document describes, with no build step
// and no third-party code. The session token lives in sessionStorage (gone when the tab
// closes); passwords are sent once and never kept. Every value from the server is written
// with textContent, never as HTML.

const $ = (selector) => document.querySelector(selector);
const TOKEN = 'fabric-wallet.session';

/** A failed call: the problem document's detail (what is wrong), or its title. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
  }
}

async function api(method, path, body, { idempotent = false, raw = false } = {}) {
  const headers = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotent) headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401 && token) {
    sessionStorage.removeItem(TOKEN);
    render();
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? undefined : response.json();
}

function say(text, error = false) {
  const message = $('#message');
  message.textContent = text;
  message.className = error ? 'error' : '';
}

function row(cells, extra) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    td.textContent = cell;
    tr.append(td);
  }
  if (extra) {
    const td = document.createElement('td');
    td.append(extra);
    tr.append(td);
  }
  return tr;
}

function button(text, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.addEventListener('click', onClick);
  return element;
}

const values = (form) => Object.fromEntries(new FormData(form).entries());
const when = (iso) => new Date(iso).toLocaleString();

/** Runs a form's action, reporting success or the server's reason; clears password fields. */
function onSubmit(selector, action) {
  const form = $(selector);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const text = await action(values(form), form);
      if (text) say(text);
    } catch (error) {
      say(error instanceof Error ? error.message : String(error), true);
    } finally {
      submit.disabled = false;
      for (const input of form.querySelectorAll('input[type=password]')) input.value = '';
    }
  });
}

// ---- signing in -----------------------------------------------------------------------

async function login(username, password) {
  const session = await api('POST', '/v1/sessions', { username, password });
  sessionStorage.setItem(TOKEN, session.token);
  await render();
}

onSubmit('#login-form', async ({ username, password }) => {
  await login(username, password);
  return `Welcome back, ${username}.`;
});

onSubmit('#register-form', async ({ username, password, paymentPassword }) => {
  await api('POST', '/v1/users', { username, password, paymentPassword });
  await login(username, password);
  return `Account ${username} created.`;
});

$('#logout').addEventListener('click', async () => {
  await api('DELETE', '/v1/sessions/current').catch(() => undefined);
  sessionStorage.removeItem(TOKEN);
  say('Logged out.');
  await render();
});

// ---- tabs -------------------------------------------------------------------------------

const loaders = {
  wallet: loadWallet,
  pay: async () => undefined,
  recharge: async () => undefined,
  bills: () => loadBills(true),
  cinema: loadCinema,
  settings: async () => undefined,
};

async function showTab(name) {
  for (const tab of document.querySelectorAll('.tab')) tab.hidden = tab.id !== `tab-${name}`;
  try {
    await loaders[name]();
  } catch (error) {
    say(error.message, true);
  }
}

for (const tab of document.querySelectorAll('nav [data-tab]'))
  tab.addEventListener('click', () => showTab(tab.dataset.tab));

// ---- wallet -------------------------------------------------------------------------------

async function loadWallet() {
  const [me, balance, tokens] = await Promise.all([
    api('GET', '/v1/me'),
    api('GET', '/v1/me/balance'),
    api('GET', '/v1/me/tokens'),
  ]);
  $('#balance').textContent = balance.balance;
  $('#receive-address').textContent = me.receiveAddress;
  $('#tokens').replaceChildren(
    ...tokens.tokens.map((token) =>
      row(
        [token.amount, token.address, when(token.createdAt)],
        button('Trace', () => trace(token)),
      ),
    ),
  );
}

async function trace(token) {
  const graph = await api('GET', `/v1/me/tokens/${token.txId}/${token.index}/trace`);
  $('#trace').replaceChildren(
    ...graph.txs.map((tx) => {
      const item = document.createElement('li');
      const outputs = tx.outputs.map((output) => output.amount).join(' + ');
      item.textContent = `${tx.kind} ${tx.txId.slice(0, 12)}... at ${when(tx.ts)}: ${outputs}`;
      return item;
    }),
  );
  say(`Traced back to ${graph.mints.length} mint(s)${graph.complete ? '' : ' (cut at the depth limit)'}.`);
}

onSubmit('#rotate-form', async ({ paymentPassword }) => {
  const rotated = await api('POST', '/v1/me/addresses', { paymentPassword, sweep: false });
  $('#receive-address').textContent = rotated.address;
  return 'New receive address ready; old addresses keep receiving.';
});

// ---- pay and recharge ----------------------------------------------------------------

onSubmit('#pay-form', async ({ to, amount, memo, paymentPassword }, form) => {
  const paid = await api(
    'POST',
    '/v1/transfers',
    { to, amount, paymentPassword, ...(memo ? { memo } : {}) },
    { idempotent: true },
  );
  form.reset();
  return `Paid ${amount} to ${to} (transaction ${paid.txId.slice(0, 12)}...).`;
});

let order;
onSubmit('#recharge-form', async ({ amount }) => {
  order = await api('POST', '/v1/recharges', { amount }, { idempotent: true });
  $('#order').textContent = `Order ${order.orderId}: ${order.amount} to ${order.address} (${order.status})`;
  $('#confirm-order').hidden = false;
  return 'Order created: pay it with your payment provider.';
});

$('#confirm-order').addEventListener('click', async () => {
  try {
    const paid = await api('POST', `/v1/dev/payments/${order.orderId}/confirm`);
    $('#order').textContent = `Order ${paid.orderId}: ${paid.amount} ${paid.status}`;
    $('#confirm-order').hidden = true;
    say(`Recharged ${paid.amount}.`);
  } catch (error) {
    say(error.message, true);
  }
});

// ---- bills ----------------------------------------------------------------------------------

let cursor = null;
async function loadBills(first) {
  if (first) cursor = null;
  const page = await api(
    'GET',
    `/v1/me/bills?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  const rows = page.bills.map((bill) =>
    row([when(bill.at), bill.kind, bill.direction, bill.amount, bill.counterparties.join(', ')]),
  );
  if (first) $('#bills').replaceChildren(...rows);
  else $('#bills').append(...rows);
  cursor = page.nextCursor;
  $('#more-bills').hidden = !cursor;
}
$('#more-bills').addEventListener('click', () => loadBills(false).catch((error) => say(error.message, true)));

$('#csv').addEventListener('click', async () => {
  try {
    const response = await api('GET', '/v1/me/bills.csv', undefined, { raw: true });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = 'bills.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    say(error.message, true);
  }
});

// ---- cinema ---------------------------------------------------------------------------------

let screening;
async function loadCinema() {
  const [{ screenings }, { tickets }] = await Promise.all([
    api('GET', '/v1/cinema/screenings'),
    api('GET', '/v1/me/tickets'),
  ]);
  $('#screenings').replaceChildren(
    ...screenings.map((item) => {
      const li = document.createElement('li');
      li.textContent = `${item.film}, ${when(item.startsAt)}, ${item.price} a seat `;
      li.append(button('Choose seats', () => chooseSeats(item.screeningId)));
      return li;
    }),
  );
  $('#tickets').replaceChildren(
    ...tickets.map((ticket) => {
      const li = document.createElement('li');
      li.textContent = `${ticket.ticketId}${ticket.redeemedAt ? ' (used)' : ''}`;
      return li;
    }),
  );
}

async function chooseSeats(screeningId) {
  screening = await api('GET', `/v1/cinema/screenings/${encodeURIComponent(screeningId)}`);
  $('#screening-title').textContent = `${screening.film}: ${screening.available.length} seats free`;
  $('#seats').replaceChildren(
    ...screening.available.map((seat) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'seat';
      box.value = seat;
      label.append(box, seat);
      return label;
    }),
  );
  $('#tickets-form').hidden = false;
}

onSubmit('#tickets-form', async ({ paymentPassword }, form) => {
  const seats = [...form.querySelectorAll('input[name=seat]:checked')].map((box) => box.value);
  if (seats.length === 0) throw new Error('Choose at least one seat.');
  await api(
    'POST',
    `/v1/cinema/screenings/${encodeURIComponent(screening.screeningId)}/tickets`,
    { seats, paymentPassword },
    { idempotent: true },
  );
  form.hidden = true;
  await loadCinema();
  return `Bought ${seats.join(', ')} for ${screening.film}.`;
});

// ---- settings -------------------------------------------------------------------------------

onSubmit('#password-form', async (body) => {
  await api('PUT', '/v1/me/password', body);
  return 'Login password changed; your other sessions have ended.';
});

onSubmit('#payment-password-form', async (body) => {
  await api('PUT', '/v1/me/payment-password', body);
  return 'Payment password changed.';
});

// ---- start ----------------------------------------------------------------------------------

async function render() {
  const signedIn = sessionStorage.getItem(TOKEN) !== null;
  $('#signed-out').hidden = signedIn;
  $('#signed-in').hidden = !signedIn;
  $('#logout').hidden = !signedIn;
  $('#who').textContent = '';
  if (!signedIn) return;
  try {
    const me = await api('GET', '/v1/me');
    $('#who').textContent = `${me.username} (${me.role})`;
    await showTab('wallet');
  } catch (error) {
    say(error.message, true);
  }
}

await render();
