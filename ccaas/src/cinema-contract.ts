import { Contract } from 'fabric-contract-api';
import { expectArgCount } from './args.js';
import { parseScreeningSpec, parseTicketId, seatExists, seatLabels, ticketId } from './cinema/screening.js';
import {
  EventName,
  type ScreeningCreatedEvent,
  type TicketRedeemedEvent,
  type TicketsBoughtEvent,
} from './events.js';
import type { WalletContext } from './ledger/context.js';
import { KeyType, parseStored, readJson, stateKey, writeJson } from './ledger/state.js';
import type { Screening, Ticket } from './model.js';
import { policyFromEnv, requireRole, type ChaincodePolicy } from './policy.js';
import { canonicalJson } from './protocol/canonical-json.js';
import { Rejection, RejectionCode } from './protocol/errors.js';
import { Limits } from './protocol/limits.js';
import { parseTransferBody, parseWitnesses } from './protocol/transfer-body.js';
import { ID_RULE, parseJsonArgument, readArray, readString } from './protocol/validate.js';
import { emit } from './token-contract.js';
import { checkSpend, consumeInputs, createOutputs, sumOutputs, writeTxRecord } from './token/spend.js';

/**
 * The cinema scenario: merchants create screenings; a buyer pays and gets the seats in ONE
 * transaction (no seat sold twice, no payment without a ticket, no ticket without a
 * payment); the screening's merchant redeems a ticket once. Seats are separate keys, so
 * buyers of different seats never conflict.
 */
export class CinemaContract extends Contract {
  constructor(private readonly policy: ChaincodePolicy = policyFromEnv()) {
    super('cinema');
  }

  /**
   * CreateScreening(screeningJson): `{screeningId, film, startsAt, seatMap: [{row, count}],
   * price, cinemaAddress}`. Merchant role; the caller becomes the screening's merchant.
   */
  async CreateScreening(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'screeningJson');
    requireRole(ctx, 'merchant', this.policy);
    const spec = parseScreeningSpec(parseJsonArgument(args[0], 'screening'));
    const { stub } = ctx;
    const now = stub.getDateTimestamp().getTime();
    if (spec.startsAt <= now) {
      throw new Rejection(
        RejectionCode.ScreeningStarted,
        `screening.startsAt: ${new Date(spec.startsAt).toISOString()} is not in the future`,
      );
    }
    const key = stateKey(stub, KeyType.Screening, spec.screeningId);
    if (await readJson<Screening>(stub, key)) {
      throw new Rejection(RejectionCode.ScreeningExists, `screening ${spec.screeningId} already exists`);
    }

    const screening: Screening = {
      ...spec,
      merchantMsp: ctx.clientIdentity.getMSPID(),
      merchantId: ctx.clientIdentity.getID(),
      createdAt: now,
      txId: stub.getTxID(),
    };
    await writeJson(stub, key, screening);
    emit(ctx, EventName.ScreeningCreated, { screening } satisfies ScreeningCreatedEvent);
    return canonicalJson(screening);
  }

  /**
   * BuyTickets(screeningId, seatsJson, bodyJson, witnessesJson): the body's purchase terms
   * must name the same screening and seats; its outputs must pay at least seats x price to
   * the screening's cinema address; the spend rules are Transfer's.
   */
  async BuyTickets(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 4, 'screeningId, seatsJson, bodyJson, witnessesJson');
    const screeningId = readString(args[0], 'screeningId', ID_RULE);
    const seats = readArray(parseJsonArgument(args[1], 'seats'), 'seats', Limits.seatsPerPurchaseMax).map(
      (seat, i) => readString(seat, `seats[${i}]`, ID_RULE),
    );
    const body = parseTransferBody(parseJsonArgument(args[2], 'body'));
    const witnesses = parseWitnesses(parseJsonArgument(args[3], 'witnesses'));
    const purchase = body.purchase;
    if (!purchase)
      throw new Rejection(RejectionCode.MalformedArgument, 'body.purchase: is required to buy tickets');
    if (purchase.screeningId !== screeningId || canonicalJson(purchase.seats) !== canonicalJson(seats)) {
      throw new Rejection(
        RejectionCode.MalformedArgument,
        'screeningId and seats must equal the signed body.purchase',
      );
    }

    const { stub } = ctx;
    const screening = await readJson<Screening>(stub, stateKey(stub, KeyType.Screening, screeningId));
    if (!screening) throw new Rejection(RejectionCode.ScreeningNotFound, `no screening ${screeningId}`);
    const now = stub.getDateTimestamp().getTime();
    if (now >= screening.startsAt)
      throw new Rejection(RejectionCode.ScreeningStarted, `screening ${screeningId} has started`);
    for (const seat of seats) {
      if (!seatExists(screening.seatMap, seat)) {
        throw new Rejection(
          RejectionCode.SeatUnknown,
          `seat ${seat} is not in the seat map of ${screeningId}`,
        );
      }
    }
    const seatKeys = seats.map((seat) => stateKey(stub, KeyType.Seat, screeningId, seat));
    const sold = await Promise.all(seatKeys.map((key) => readJson<Ticket>(stub, key)));
    const taken = seats.filter((_, i) => sold[i] !== undefined);
    if (taken.length > 0)
      throw new Rejection(
        RejectionCode.SeatSold,
        `seat ${taken.join(', ')} of ${screeningId} is already sold`,
      );
    const due = BigInt(screening.price) * BigInt(seats.length);
    const paid = sumOutputs(body.outputs.filter((output) => output.address === screening.cinemaAddress));
    if (paid < due) {
      throw new Rejection(
        RejectionCode.Underpaid,
        `${seats.length} seat(s) cost ${due}; the outputs pay the cinema ${paid}`,
      );
    }
    const spend = await checkSpend(ctx, body, witnesses, this.policy);

    const txId = stub.getTxID();
    const tickets: Ticket[] = seats.map((seat) => ({
      ticketId: ticketId(screeningId, seat),
      screeningId,
      seat,
      holder: purchase.holder,
      txId,
      soldAt: now,
    }));
    await consumeInputs(ctx, spend.inputs);
    await createOutputs(ctx, body.outputs);
    for (const [i, ticket] of tickets.entries()) await writeJson(stub, seatKeys[i] as string, ticket);
    const record = await writeTxRecord(ctx, {
      txId,
      kind: 'purchase',
      ts: now,
      inputs: spend.inputs,
      outputs: body.outputs,
      signers: spend.signers,
      memoHash: body.memoHash,
      submitterMsp: ctx.clientIdentity.getMSPID(),
      purchase: { screeningId, seats, tickets: tickets.map((ticket) => ticket.ticketId) },
    });
    emit(ctx, EventName.TicketsBought, { tx: record, tickets } satisfies TicketsBoughtEvent);
    return canonicalJson({ tx: record, tickets });
  }

  /** RedeemTicket(ticketId): the screening's merchant marks the ticket used, once. */
  async RedeemTicket(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'ticketId');
    requireRole(ctx, 'merchant', this.policy);
    const { screeningId, seat } = parseTicketId(args[0]);
    const { stub } = ctx;
    const screening = await readJson<Screening>(stub, stateKey(stub, KeyType.Screening, screeningId));
    if (!screening) throw new Rejection(RejectionCode.ScreeningNotFound, `no screening ${screeningId}`);
    if (
      screening.merchantMsp !== ctx.clientIdentity.getMSPID() ||
      screening.merchantId !== ctx.clientIdentity.getID()
    ) {
      throw new Rejection(
        RejectionCode.NotScreeningMerchant,
        `only the merchant that created ${screeningId} redeems its tickets`,
      );
    }
    const key = stateKey(stub, KeyType.Seat, screeningId, seat);
    const ticket = await readJson<Ticket>(stub, key);
    if (!ticket)
      throw new Rejection(RejectionCode.TicketNotFound, `no ticket ${ticketId(screeningId, seat)}`);
    if (ticket.redeemedAt !== undefined) {
      throw new Rejection(
        RejectionCode.TicketRedeemed,
        `ticket ${ticket.ticketId} was redeemed at ${new Date(ticket.redeemedAt).toISOString()}`,
      );
    }

    const redeemed: Ticket = { ...ticket, redeemedAt: stub.getDateTimestamp().getTime() };
    await writeJson(stub, key, redeemed);
    emit(ctx, EventName.TicketRedeemed, { ticket: redeemed } satisfies TicketRedeemedEvent);
    return canonicalJson(redeemed);
  }

  /** GetScreening(screeningId): the screening with its sold and available seats (evaluate only). */
  async GetScreening(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'screeningId');
    const screeningId = readString(args[0], 'screeningId', ID_RULE);
    const { stub } = ctx;
    const screening = await readJson<Screening>(stub, stateKey(stub, KeyType.Screening, screeningId));
    if (!screening) throw new Rejection(RejectionCode.ScreeningNotFound, `no screening ${screeningId}`);
    const sold = new Set<string>();
    for await (const entry of stub.getStateByPartialCompositeKey(KeyType.Seat, [screeningId])) {
      sold.add((parseStored(entry.value) as Ticket).seat);
    }
    const available = seatLabels(screening.seatMap).filter((seat) => !sold.has(seat));
    return canonicalJson({ screening, sold: [...sold].sort(), available });
  }

  /** GetTicket(ticketId): the ticket, with redeemedAt once used. */
  async GetTicket(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'ticketId');
    const { screeningId, seat } = parseTicketId(args[0]);
    const ticket = await readJson<Ticket>(ctx.stub, stateKey(ctx.stub, KeyType.Seat, screeningId, seat));
    if (!ticket)
      throw new Rejection(RejectionCode.TicketNotFound, `no ticket ${ticketId(screeningId, seat)}`);
    return canonicalJson(ticket);
  }
}
