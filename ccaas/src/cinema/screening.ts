import { AmountError, formatAmount, parseAmount } from '../protocol/amount.js';
import { Rejection, RejectionCode } from '../protocol/errors.js';
import { isAddress } from '../protocol/keys.js';
import { Limits } from '../protocol/limits.js';
import { ID_RULE, readArray, readInteger, readObject, readString } from '../protocol/validate.js';
import type { ScreeningSpec, SeatRow } from '../model.js';

const ROW_RULE = { pattern: /^[A-Z]{1,3}$/, patternHint: '1 to 3 upper-case letters', maxLength: 3 };
const FILM_RULE = {
  // Printable text only: no control characters in what tickets and bills will show.
  pattern: /^[^\p{Cc}\p{Cs}]+$/u,
  patternHint: 'printable text',
  maxLength: Limits.filmTitleLengthMax,
};
const SEATS_PER_ROW_MAX = 100;

/** Reads `{screeningId, film, startsAt, seatMap: [{row, count}], price, cinemaAddress}`. */
export function parseScreeningSpec(value: unknown, path = 'screening'): ScreeningSpec {
  const record = readObject(value, path, [
    'screeningId',
    'film',
    'startsAt',
    'seatMap',
    'price',
    'cinemaAddress',
  ]);
  const rows = readArray(record.seatMap, `${path}.seatMap`, 26 * 27).map((item, i) => {
    const row = readObject(item, `${path}.seatMap[${i}]`, ['row', 'count']);
    return {
      row: readString(row.row, `${path}.seatMap[${i}].row`, ROW_RULE),
      count: readInteger(row.count, `${path}.seatMap[${i}].count`, 1, SEATS_PER_ROW_MAX),
    };
  });
  if (rows.length === 0)
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.seatMap: must hold at least one row`);
  if (new Set(rows.map((row) => row.row)).size !== rows.length) {
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.seatMap: names a row twice`);
  }
  const seatCount = rows.reduce((sum, row) => sum + row.count, 0);
  if (seatCount > Limits.seatsPerScreeningMax) {
    throw new Rejection(
      RejectionCode.MalformedArgument,
      `${path}.seatMap: has ${seatCount} seats, the limit is ${Limits.seatsPerScreeningMax}`,
    );
  }
  if (!isAddress(record.cinemaAddress)) {
    throw new Rejection(RejectionCode.MalformedArgument, `${path}.cinemaAddress: is not a valid address`);
  }
  let price: string;
  try {
    price = formatAmount(parseAmount(record.price, `${path}.price`));
  } catch (error) {
    if (error instanceof AmountError)
      throw new Rejection(RejectionCode.BadAmount, error.message, { cause: error });
    throw error;
  }
  return {
    screeningId: readString(record.screeningId, `${path}.screeningId`, ID_RULE),
    film: readString(record.film, `${path}.film`, FILM_RULE),
    startsAt: readInteger(record.startsAt, `${path}.startsAt`, 0, Number.MAX_SAFE_INTEGER),
    seatMap: rows,
    price,
    cinemaAddress: record.cinemaAddress,
  };
}

/** True when `seat` (e.g. "B7") is in the seat map. */
export function seatExists(seatMap: readonly SeatRow[], seat: string): boolean {
  const match = /^([A-Z]{1,3})([1-9][0-9]{0,2})$/.exec(seat);
  if (!match) return false;
  const row = seatMap.find((candidate) => candidate.row === match[1]);
  return row !== undefined && Number(match[2]) <= row.count;
}

/** Every seat label of a seat map, row by row. */
export function seatLabels(seatMap: readonly SeatRow[]): string[] {
  return seatMap.flatMap((row) => Array.from({ length: row.count }, (_, i) => `${row.row}${i + 1}`));
}

/** A ticket's id names its seat: `<screeningId>:<seat>` (neither part may contain ':'). */
export function ticketId(screeningId: string, seat: string): string {
  return `${screeningId}:${seat}`;
}

/** Splits a ticket id; MALFORMED_ARGUMENT when it is not `<screeningId>:<seat>`. */
export function parseTicketId(value: unknown): { screeningId: string; seat: string } {
  const text = readString(value, 'ticketId', { maxLength: 2 * Limits.idLengthMax + 1 });
  const [screeningId, seat, ...rest] = text.split(':');
  if (rest.length > 0 || screeningId === undefined || seat === undefined) {
    throw new Rejection(RejectionCode.MalformedArgument, 'ticketId: must be <screeningId>:<seat>');
  }
  return {
    screeningId: readString(screeningId, 'ticketId.screeningId', ID_RULE),
    seat: readString(seat, 'ticketId.seat', ID_RULE),
  };
}
