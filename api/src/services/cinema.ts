import { randomBytes } from 'node:crypto';
import { Limits, type Ticket } from '@fabric-wallet/ccaas/protocol';
import { oneBatch, type Collections, type ScreeningDoc, type TicketDoc, type UserDoc } from '../db/mongo.js';
import { applyScreening, applyTickets } from '../db/projection.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import type { ChaincodeAccess } from '../fabric/ledger.js';
import type { Accounts } from './accounts.js';
import { parseAmountField, type Wallet } from './wallet.js';

export interface ScreeningView {
  screeningId: string;
  film: string;
  startsAt: string;
  price: string;
  seatMap: { row: string; count: number }[];
  sold: string[];
  available: string[];
}

const seatsOf = (seatMap: readonly { row: string; count: number }[]) =>
  seatMap.flatMap((row) => Array.from({ length: row.count }, (_, i) => `${row.row}${i + 1}`));

/**
 * The cinema: merchants create screenings and redeem tickets; customers buy seats in one
 * ledger transaction that pays the cinema and reserves them (the chaincode refuses a sold
 * seat, so of two buyers of one seat exactly one pays).
 */
export class Cinema {
  constructor(
    private readonly collections: Collections,
    private readonly ledger: ChaincodeAccess,
    private readonly accounts: Accounts,
    private readonly wallet: Wallet,
  ) {}

  private requireMerchant(user: UserDoc): void {
    if (user.role !== 'merchant') throw forbidden('only merchant accounts manage screenings and tickets');
  }

  async createScreening(
    user: UserDoc,
    input: {
      film: string;
      startsAt: string;
      seatMap: { row: string; count: number }[];
      price: string;
      paymentPassword: string;
    },
  ): Promise<ScreeningView> {
    this.requireMerchant(user);
    const price = parseAmountField(input.price, 'price');
    const startsAt = Date.parse(input.startsAt);
    if (startsAt <= Date.now()) throw badRequest('startsAt: must be in the future');
    const { identity } = await this.accounts.unlock(user, input.paymentPassword);
    const spec = {
      screeningId: `sc-${randomBytes(8).toString('hex')}`,
      film: input.film,
      startsAt,
      seatMap: input.seatMap,
      price: price.toString(),
      cinemaAddress: user.receiveAddress,
    };
    const screening = await this.ledger.as(identity).createScreening(spec);
    await applyScreening(this.collections, screening);
    return this.screening(screening.screeningId);
  }

  /** Upcoming screenings, soonest first (from the outer DB). */
  async upcoming(limit = 100): Promise<ScreeningDoc[]> {
    return this.collections.screenings
      .find({ startsAt: { $gte: new Date() } }, oneBatch(limit))
      .sort({ startsAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** A screening with its sold and available seats (from the outer DB). */
  async screening(screeningId: string): Promise<ScreeningView> {
    const screening = await this.collections.screenings.findOne({ _id: screeningId });
    if (!screening) throw notFound(`no screening ${screeningId}`);
    const sold = (
      await this.collections.tickets.find({ screeningId }, { projection: { seat: 1 } }).toArray()
    ).map((t) => t.seat);
    const soldSet = new Set(sold);
    return {
      screeningId,
      film: screening.film,
      startsAt: screening.startsAt.toISOString(),
      price: screening.price,
      seatMap: screening.seatMap,
      sold: sold.sort(),
      available: seatsOf(screening.seatMap).filter((seat) => !soldSet.has(seat)),
    };
  }

  /** Pays seats x price to the cinema and gets the seats, in one ledger transaction. */
  async buy(
    user: UserDoc,
    screeningId: string,
    seats: string[],
    paymentPassword: string,
  ): Promise<{ txId: string; tickets: Ticket[] }> {
    if (seats.length === 0 || seats.length > Limits.seatsPerPurchaseMax) {
      throw badRequest(`seats: name 1 to ${Limits.seatsPerPurchaseMax} seats`);
    }
    if (new Set(seats).size !== seats.length) throw badRequest('seats: a seat is named twice');
    const screening = await this.collections.screenings.findOne({ _id: screeningId });
    if (!screening) throw notFound(`no screening ${screeningId}`);
    const due = BigInt(screening.price) * BigInt(seats.length);
    const purchase = { screeningId, seats, holder: user.receiveAddress };
    const { extra } = await this.wallet.pay(
      user,
      paymentPassword,
      { payTo: screening.cinemaAddress, amount: due, purchase },
      async (body, witnesses, identity) => {
        const result = await this.ledger.as(identity).buyTickets(screeningId, seats, body, witnesses);
        return { record: result.tx, extra: result.tickets };
      },
    );
    // Paid and committed: the answer comes from the ledger's result. Should the outer DB be down,
    // the indexer records the tickets later; failing here would free the Idempotency-Key and
    // the client's retry would be refused its own seats.
    await applyTickets(this.collections, extra).catch(() => undefined);
    return { txId: extra[0]?.txId ?? '', tickets: extra };
  }

  async myTickets(user: UserDoc): Promise<TicketDoc[]> {
    return this.collections.tickets
      .find({ holderUserId: user._id }, oneBatch(500))
      .sort({ soldAt: -1 })
      .limit(500)
      .toArray();
  }

  /** A ticket as its screening's merchant sees it when checking it at the door. */
  async ticketForMerchant(user: UserDoc, ticketId: string): Promise<TicketDoc> {
    this.requireMerchant(user);
    const ticket = await this.collections.tickets.findOne({ _id: ticketId });
    if (!ticket) throw notFound(`no ticket ${ticketId}`);
    const screening = await this.collections.screenings.findOne({ _id: ticket.screeningId });
    if (screening?.merchantUserId !== user._id)
      throw forbidden('this ticket is for another merchant’s screening');
    return ticket;
  }

  /** Marks the ticket used, once (the chaincode refuses a second redemption). */
  async redeem(user: UserDoc, ticketId: string, paymentPassword: string): Promise<TicketDoc> {
    await this.ticketForMerchant(user, ticketId);
    const { identity } = await this.accounts.unlock(user, paymentPassword);
    const ticket = await this.ledger.as(identity).redeemTicket(ticketId);
    await applyTickets(this.collections, [ticket]);
    const updated = await this.collections.tickets.findOne({ _id: ticketId });
    if (!updated) throw notFound(`no ticket ${ticketId}`);
    return updated;
  }
}
