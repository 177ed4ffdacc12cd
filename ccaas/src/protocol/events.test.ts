import { describe, expect, it } from 'vitest';
import { World } from '../testing/world.js';
import { canonicalJson } from './canonical-json.js';
import { ChaincodeResultError } from './chaincode-result.js';
import { decodeEvent, EventName } from './events.js';
import { generateAddressKey } from './keys.js';

const bytes = (value: unknown) => Buffer.from(canonicalJson(value));

describe('decodeEvent', () => {
  it('decodes the events the contracts emit, each payload typed by its name', async () => {
    const world = new World();
    const [coin] = await world.mint(40n);
    if (!coin) throw new Error('no coin minted');
    await world.transfer([coin], [{ address: generateAddressKey().address, amount: 40n }]);
    await world.screening('s1', 10n, generateAddressKey().address);

    const decoded = world.ledger.events.map((event) => decodeEvent(event.name, bytes(event.payload)));

    expect(decoded.map((event) => event?.name)).toEqual([
      EventName.Minted,
      EventName.Transferred,
      EventName.ScreeningCreated,
    ]);
    const [minted, transferred] = decoded;
    expect(minted?.name === EventName.Minted && minted.payload.tx.kind).toBe('mint');
    expect(transferred?.name === EventName.Transferred && transferred.payload.tx.inputs).toEqual([
      { txId: coin.txId, index: 0, owner: coin.key.address, amount: '40' },
    ]);
  });

  it('skips an event this version does not know', () => {
    expect(decodeEvent('wallet.Burned', bytes({ anything: 1 }))).toBeUndefined();
  });

  it('refuses a known event whose payload the protocol refuses, as committed', () => {
    const refuse = () => decodeEvent(EventName.TicketRedeemed, bytes({ ticket: { ticketId: 's1:A1' } }));

    expect(refuse).toThrow(ChaincodeResultError);
    expect(refuse).toThrow(
      expect.objectContaining({
        source: 'event cinema.TicketRedeemed',
        path: 'payload.ticket.screeningId',
        committed: true,
      }) as Error,
    );
  });
});
