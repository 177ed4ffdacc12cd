/**
 * What a user sees of their wallet through the API, from the outer DB and from the ledger:
 * the suites that check the outer DB against the ledger compare these.
 */

/** A call to the API as one user (in-process or over HTTP). */
export type UserCall = (
  method: string,
  path: string,
  options: { readonly token: string },
) => Promise<{ readonly status: number; readonly body: Record<string, unknown> }>;

/** Pages of bills read at most: 100 lines each. */
const BILL_PAGES_MAX = 1000;

async function ok(call: UserCall, path: string, token: string): Promise<Record<string, unknown>> {
  const answer = await call('GET', path, { token });
  if (answer.status !== 200)
    throw new Error(`GET ${path}: ${String(answer.status)} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The user's unspent tokens as `<txId>:<index>=<amount>`, sorted, from the outer DB (index) or the chain (ledger). */
export async function userTokens(
  call: UserCall,
  token: string,
  source: 'index' | 'ledger',
): Promise<string[]> {
  const body = await ok(call, `/v1/me/tokens?source=${source}`, token);
  return (body.tokens as { txId: string; index: number; amount: string }[])
    .map((t) => `${t.txId}:${String(t.index)}=${t.amount}`)
    .sort();
}

/** The sum of the amounts of `userTokens` lines. */
export function tokensTotal(tokens: readonly string[]): bigint {
  return tokens.reduce((sum, t) => sum + BigInt(t.split('=')[1] ?? '0'), 0n);
}

/** The user's balance as the API reports it. */
export async function userBalance(call: UserCall, token: string): Promise<bigint> {
  return BigInt((await ok(call, '/v1/me/balance', token)).balance as string);
}

/** The net of every bill line of the user (in minus out), reading every page. */
export async function billsNet(call: UserCall, token: string): Promise<bigint> {
  let net = 0n;
  let cursor: string | null = null;
  for (let page = 0; page < BILL_PAGES_MAX; page++) {
    const body = await ok(call, `/v1/me/bills?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token);
    for (const bill of body.bills as { direction: string; amount: string }[])
      net +=
        bill.direction === 'in' ? BigInt(bill.amount) : bill.direction === 'out' ? -BigInt(bill.amount) : 0n;
    cursor = body.nextCursor as string | null;
    if (!cursor) return net;
  }
  throw new Error(`more than ${String(BILL_PAGES_MAX)} pages of bills`);
}

/** One user's view: tokens from the outer DB and from the chain, balance, and bills' net. */
export interface UserView {
  readonly index: readonly string[];
  readonly ledger: readonly string[];
  readonly balance: bigint;
  readonly billsNet: bigint;
}

export async function userView(call: UserCall, token: string): Promise<UserView> {
  return {
    index: await userTokens(call, token, 'index'),
    ledger: await userTokens(call, token, 'ledger'),
    balance: await userBalance(call, token),
    billsNet: await billsNet(call, token),
  };
}
