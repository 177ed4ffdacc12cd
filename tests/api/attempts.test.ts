import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Accounts,
  ApiError,
  connectDatabase,
  hashPassword,
  newVault,
  scryptWrapDek,
  sealSecret,
  VaultKeyring,
  type Database,
  type FabricConfig,
} from '@fabric-wallet/api';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * Password and payment-password attempt limits on the real outer DB server, raced: guesses
 * sent all at once must not get more checks than the limit allows (the attempt is counted
 * before the secret is checked), and the key vault's format upgrade on the way.
 */

const keyring = VaultKeyring.parse(VaultKeyring.generate('k1'));
const PIN = 'pay-246810';
const PASSWORD = 'a long enough login password';

let dir: TempDir | undefined;
let server: Started | undefined;
let db: Database;
let accounts: Accounts;
let loginHash: string;

beforeAll(async () => {
  dir = await tempDir('attempts');
  const ferret = await startFerretDb(dir.path);
  server = ferret.process;
  db = await connectDatabase(ferret.uri, 'attempts');
  // Registration (the CA) is not exercised here: users are written as register() writes them.
  accounts = new Accounts(db.collections, {} as FabricConfig, 3_600_000, keyring);
  loginHash = await hashPassword(PASSWORD);
}, 120_000);

afterAll(async () => {
  await (db as Database | undefined)?.close();
  await server?.stop();
  await dir?.remove();
});

async function newUser(options: { legacyVault?: boolean } = {}) {
  const _id = randomUUID();
  const { wrapped, dek } = newVault(keyring, PIN, _id);
  const vault = options.legacyVault ? await scryptWrapDek(dek, PIN, _id) : wrapped;
  const user = {
    _id,
    username: `u-${_id}`,
    passwordHash: loginHash,
    role: 'customer' as const,
    vault,
    fabric: {
      enrollmentId: 'e',
      mspId: 'WalletOrgMSP',
      certificate: 'c',
      sealedKey: sealSecret(dek, 'FABRIC KEY', 'fabric'),
    },
    receiveAddress: 'W1',
    createdAt: new Date(),
    passwordChangedAt: new Date(),
  };
  await db.collections.users.insertOne(user);
  return user;
}

/** The payment-password (or login) counters of a user. */
const counters = (userId: string, kind: 'payment' | 'login' = 'payment') =>
  db.collections.attempts.findOne({ _id: `${kind}:${userId}` });
const setCounters = (userId: string, fields: Record<string, unknown>) =>
  db.collections.attempts.updateOne({ _id: `payment:${userId}` }, { $set: fields }, { upsert: true });

/** Status of an attempt: 200 when it opened, else the ApiError's status. */
async function statusOf(attempt: Promise<unknown>): Promise<number> {
  try {
    await attempt;
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});

describe('payment password attempts', () => {
  it('checks at most 5 of 30 concurrent wrong payment passwords, then refuses the right one too (3 rounds)', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await newUser();

      const statuses = await Promise.all(
        Array.from({ length: 30 }, (_, i) => statusOf(accounts.unlock(user, `wrong-${round}-${i}`))),
      );

      expect(tally(statuses)).toEqual({ 403: 5, 429: 25 });
      expect(await statusOf(accounts.unlock(user, PIN))).toBe(429);
      const doc = await counters(user._id);
      expect(doc?.lockedUntil?.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
      expect(doc?.pending).toBe(0);
      // The user document is not written by an attempt.
      expect(await db.collections.users.findOne({ _id: user._id })).toEqual(user);
    }
  });

  it('lets 20 concurrent right payment passwords through (waiting for a place), never locking', async () => {
    const user = await newUser();

    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => statusOf(accounts.unlock(user, PIN))),
    );

    expect(tally(statuses)).toEqual({ 200: 20 });
    const doc = await counters(user._id);
    expect(doc).toMatchObject({ count: 0, pending: 0 });
    expect(doc?.lockedUntil).toBeUndefined();
    expect(await statusOf(accounts.unlock(user, PIN))).toBe(200);
  });

  it('clears earlier failures on a right payment password, and counts them again from zero', async () => {
    const user = await newUser();
    for (let i = 0; i < 4; i++) expect(await statusOf(accounts.unlock(user, `wrong-${i}`))).toBe(403);

    expect(await statusOf(accounts.unlock(user, PIN))).toBe(200);

    for (let i = 0; i < 4; i++) expect(await statusOf(accounts.unlock(user, `wrong-again-${i}`))).toBe(403);
    expect(await statusOf(accounts.unlock(user, PIN))).toBe(200);
  });

  it('recovers from attempts a crashed process left pending, and from a full count without a lock', async () => {
    const crashed = await newUser();
    await setCounters(crashed._id, { count: 5, pending: 5, at: new Date(Date.now() - 120_000) });
    expect(await statusOf(accounts.unlock(crashed, PIN))).toBe(200);
    expect(await counters(crashed._id)).toMatchObject({
      count: 0,
      pending: 0,
    });

    const full = await newUser();
    await setCounters(full._id, { count: 5, pending: 0 });
    expect(await statusOf(accounts.unlock(full, PIN))).toBe(429);
    expect((await counters(full._id))?.lockedUntil).toBeInstanceOf(Date);
  });

  it('unlocks again when the lock has expired', async () => {
    const user = await newUser();
    await setCounters(user._id, { count: 5, pending: 0, lockedUntil: new Date(Date.now() - 1000) });

    expect(await statusOf(accounts.unlock(user, PIN))).toBe(200);

    const doc = await counters(user._id);
    expect(doc).toMatchObject({ count: 0, pending: 0 });
    expect(doc?.lockedUntil).toBeUndefined();
  });
});

describe('login attempts', () => {
  it('checks at most 5 of 30 concurrent wrong logins, then refuses the right password too', async () => {
    const user = await newUser();

    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => statusOf(accounts.login(user.username, `wrong password ${i}`))),
    );

    expect(tally(statuses)).toEqual({ 401: 5, 429: 25 });
    expect(await statusOf(accounts.login(user.username, PASSWORD))).toBe(429);
  });

  it('answers an unknown username exactly as a known one: 5 x 401, then 429, also when raced', async () => {
    const known = await newUser();
    const unknown = `nobody-${randomUUID()}`;

    const answers = async (username: string) =>
      tally(
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => statusOf(accounts.login(username, `wrong password ${i}`))),
        ),
      );

    expect(await answers(unknown)).toEqual({ 401: 5, 429: 25 });
    expect(await answers(known.username)).toEqual({ 401: 5, 429: 25 });
    expect(await statusOf(accounts.login(unknown, PASSWORD))).toBe(429);
  });

  it('logs in with the right password and clears the failures before it', async () => {
    const user = await newUser();
    expect(await statusOf(accounts.login(user.username, 'wrong password'))).toBe(401);

    expect(await statusOf(accounts.login(user.username, PASSWORD))).toBe(200);

    expect(await counters(user.username, 'login')).toMatchObject({
      count: 0,
      pending: 0,
    });
  });
});

describe('key vault upgrade', () => {
  it('opens a scrypt vault of an earlier version and re-wraps it under the keyring on the way', async () => {
    const user = await newUser({ legacyVault: true });
    expect(user.vault.v).toBeUndefined();

    const opened = await accounts.unlock(user, PIN);

    expect(opened.identity.privateKeyPem).toBe('FABRIC KEY');
    const doc = await db.collections.users.findOne({ _id: user._id });
    expect(doc?.vault).toMatchObject({ v: 2, keyId: 'k1' });
    expect(doc && (await accounts.unlock(doc, PIN)).dek.equals(opened.dek)).toBe(true);
    expect(doc && (await statusOf(accounts.unlock(doc, 'pay-wrong')))).toBe(403);
  });

  it('changes the payment password of a scrypt vault: one of two concurrent changes wins, the other gets 409', async () => {
    const user = await newUser({ legacyVault: true });

    const statuses = await Promise.all([
      statusOf(accounts.changePaymentPassword(user, PIN, 'pay-new-1')),
      statusOf(accounts.changePaymentPassword(user, PIN, 'pay-new-2')),
    ]);

    expect([...statuses].sort()).toEqual([200, 409]);
    const doc = await db.collections.users.findOne({ _id: user._id });
    expect(doc?.vault).toMatchObject({ v: 2 });
    const winner = statuses[0] === 200 ? 'pay-new-1' : 'pay-new-2';
    expect(doc && (await statusOf(accounts.unlock(doc, winner)))).toBe(200);
    expect(doc && (await statusOf(accounts.unlock(doc, PIN)))).toBe(403);
  });

  it('does not overwrite a vault changed meanwhile (a payment password change wins)', async () => {
    const user = await newUser({ legacyVault: true });
    const changed = { ...user.vault, sealedDek: 'changed-by-another-request' };
    await db.collections.users.updateOne({ _id: user._id }, { $set: { vault: changed } });

    await accounts.unlock(user, PIN);

    expect((await db.collections.users.findOne({ _id: user._id }))?.vault).toEqual(changed);
  });

  it('answers 503 for a vault whose key left the keyring, without counting a failure', async () => {
    const user = await newUser();
    const rotatedAway = new Accounts(
      db.collections,
      {} as FabricConfig,
      3_600_000,
      VaultKeyring.parse(VaultKeyring.generate('k9')),
    );

    expect(await statusOf(rotatedAway.unlock(user, PIN))).toBe(503);

    expect((await counters(user._id)) ?? { count: 0, pending: 0 }).toMatchObject({
      count: 0,
      pending: 0,
    });
  });
});
