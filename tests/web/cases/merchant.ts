import { expect, it } from 'vitest';
import { DESKTOP, eventually, PAY_PASSWORD, type WalletKit } from '../wallet-kit.js';

/** A day from now as <input type=datetime-local> takes it (local time, minutes). */
function tomorrowLocal(): string {
  const at = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(at.getFullYear())}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T20:30`;
}

/** The merchant view of a cinema account, and a ticket's QR code read back at the door. */
export function merchantCases(kit: () => WalletKit): void {
  it('shows a cinema its own screenings with sold and free seats, and creates a screening', async () => {
    const { screeningId, merchantName } = await kit().screening(
      'Own Premiere',
      [{ row: 'A', count: 4 }],
      '800',
    );
    await kit().buy(await kit().customer('web-premiere-fan', '2000'), screeningId, ['A1', 'A2']);
    const wallet = await kit().open();
    await wallet.signIn(merchantName);
    await wallet.tab('merchant').click();
    const rows = wallet.page.getByTestId('my-screenings').locator('tr');
    await eventually(() => rows.count()).toBe(1);
    const listed = await rows.first().locator('td').allTextContents();
    await wallet.field('#screening-form', 'film').fill('Nosferatu');
    await wallet.field('#screening-form', 'startsAt').fill(tomorrowLocal());
    await wallet.field('#screening-form', 'rows').fill('2');
    await wallet.field('#screening-form', 'perRow').fill('5');
    await wallet.field('#screening-form', 'price').fill('7.50');
    await wallet.field('#screening-form', 'paymentPassword').fill(PAY_PASSWORD);

    const request = await wallet.submitSending('#screening-form', '**/v1/cinema/screenings');

    await eventually(() => wallet.feedback('#screening-form').textContent()).toMatch(
      /^Created Nosferatu, .+: 10 seats at CN¥7\.50\.$/,
    );
    expect(await wallet.page.locator('#role').textContent()).toBe('merchant');
    expect(listed.slice(0, 1).concat(listed.slice(2, 5))).toEqual(['Own Premiere', 'CN¥8.00', '2', '2']);
    const sent: unknown = request.postDataJSON();
    expect(sent).toMatchObject({
      film: 'Nosferatu',
      price: '750',
      seatMap: [
        { row: 'A', count: 5 },
        { row: 'B', count: 5 },
      ],
    });
    expect(request.headers()['idempotency-key']).toBeTruthy();
    await eventually(() => rows.count()).toBe(2);
    const created = rows.filter({ hasText: 'Nosferatu' }).locator('td');
    expect([await created.nth(3).textContent(), await created.nth(4).textContent()]).toEqual(['0', '10']);
  });

  it('reads a ticket’s QR code back at the door, verifies it and lets its holder in once', async () => {
    const { screeningId, merchant, merchantName } = await kit().screening(
      'Door Check',
      [{ row: 'A', count: 3 }],
      '300',
    );
    const [ticketId] = await kit().buy(await kit().customer('web-holder', '1000'), screeningId, ['A2']);
    // Three device pixels a CSS pixel: the QR code is photographed as a phone camera would.
    const holder = await kit().open(DESKTOP, 3);
    await holder.signIn('web-holder');
    await holder.tab('cinema').click();
    const qr = holder.page.locator(`[data-ticket-id="${ticketId ?? ''}"] svg.qr`);
    const read = await holder.qrText(qr);
    const door = await kit().open();
    await door.signIn(merchantName);
    await door.tab('merchant').click();

    await door.field('#check-form', 'ticketId').fill(read ?? '');
    await door.submit('#check-form').click();
    await eventually(() => door.feedback('#check-form').textContent()).toMatch(
      /^Valid ticket: Door Check, seat A2, bought .+\.$/,
    );
    await door.field('#redeem-form', 'paymentPassword').fill(PAY_PASSWORD);
    await door.submit('#redeem-form').click();
    await eventually(() => door.feedback('#redeem-form').textContent()).toMatch(
      /^Let in: Door Check, seat A2, /,
    );
    await door.submit('#check-form').click();

    await eventually(() => door.feedback('#check-form').textContent()).toMatch(
      /^Already used at .+: Door Check, seat A2, bought .+\.$/,
    );
    expect(read).toBe(ticketId);
    expect(await door.page.locator('#redeem-form').isVisible()).toBe(false);
    const ticket = await kit().api.call('GET', `/v1/cinema/tickets/${ticketId ?? ''}`, { token: merchant });
    expect(ticket.body.redeemedAt).toEqual(expect.any(String));
  });

  it('says what is wrong with a code that is no ticket, an unknown ticket and another cinema’s ticket', async () => {
    const mine = await kit().screening('Mine Only', [{ row: 'A', count: 2 }], '100');
    const theirs = await kit().screening('Theirs Only', [{ row: 'A', count: 2 }], '100');
    const [foreign] = await kit().buy(await kit().customer('web-elsewhere', '500'), theirs.screeningId, [
      'A1',
    ]);
    const door = await kit().open();
    await door.signIn(mine.merchantName);
    await door.tab('merchant').click();
    const check = async (code: string) => {
      await door.field('#check-form', 'ticketId').fill(code);
      await door.submit('#check-form').click();
      await eventually(() => door.feedback('#check-form').getAttribute('data-tone')).toBe('error');
      const said = await door.feedback('#check-form').textContent();
      await door.page.evaluate(
        `document.querySelector('#check-form .feedback').removeAttribute('data-tone')`,
      );
      return said;
    };

    const said = [
      await check('<script>alert(1)</script>'),
      await check(`${mine.screeningId}:Z9`),
      await check(foreign ?? ''),
    ];

    expect(said).toEqual([
      'That is not a ticket code; one looks like sc-0123abcd:A1.',
      `no ticket ${mine.screeningId}:Z9`,
      'this ticket is for another merchant’s screening',
    ]);
  });
}
