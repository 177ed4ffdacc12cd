import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateAddressKey } from '@fabric-wallet/ccaas/protocol';
import { CaClient } from '@fabric-wallet/fabric-client';
import type { FabricConfig, PemIdentity } from '../config.js';
import type { Collections, Role, UserDoc } from '../db/mongo.js';
import { ApiError, conflict, forbidden, unauthorized, unavailable } from '../errors.js';
import { AttemptLimiter, DEFAULT_ATTEMPT_POLICY, type AttemptPolicy } from '../security/attempts.js';
import { PasswordHasher } from '../security/passwords.js';
import {
  KeyringError,
  newVault,
  openSecret,
  sealSecret,
  unwrapDek,
  wrapDek,
  type VaultKeyring,
} from '../security/vault.js';
import { isDuplicateKey } from '../db/mongo.js';

export const sessionHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Accounts: registration (with the user's own Fabric identity from the CA, under a random
 * enrollment id, and a first address key), login with lockout, sessions, password changes.
 */
export class Accounts {
  constructor(
    private readonly collections: Collections,
    private readonly fabric: FabricConfig,
    private readonly sessionTtlMs: number,
    private readonly keyring: VaultKeyring,
    attemptPolicy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
    private readonly hasher = new PasswordHasher(),
  ) {
    this.logins = new AttemptLimiter(
      collections.attempts,
      'login',
      attemptPolicy,
      'too many failed logins; try again later',
    );
    // Guessing the payment password is throttled like logins: a stolen session alone must not
    // be enough to find it.
    this.paymentPasswords = new AttemptLimiter(
      collections.attempts,
      'payment',
      attemptPolicy,
      'too many wrong payment passwords; try again later',
    );
  }

  private readonly logins: AttemptLimiter;
  private readonly paymentPasswords: AttemptLimiter;

  async register(input: {
    username: string;
    password: string;
    paymentPassword: string;
    role?: Role;
  }): Promise<UserDoc> {
    const username = input.username.toLowerCase();
    if (await this.collections.users.findOne({ username }, { projection: { _id: 1 } })) {
      throw conflict('username-taken', 'Username taken', `the username ${username} is taken`);
    }
    const role = input.role ?? 'customer';
    const userId = randomUUID();
    const enrolled = await this.enrollFabricIdentity(role);
    const address = generateAddressKey();
    const { wrapped, dek } = newVault(this.keyring, input.paymentPassword, userId);
    const now = new Date();
    const user: UserDoc = {
      _id: userId,
      username,
      passwordHash: await this.hasher.hash(input.password),
      role,
      vault: wrapped,
      fabric: {
        enrollmentId: enrolled.enrollmentId,
        mspId: enrolled.mspId,
        certificate: enrolled.certificate,
        sealedKey: sealSecret(dek, enrolled.privateKeyPem, 'fabric'),
      },
      receiveAddress: address.address,
      createdAt: now,
      passwordChangedAt: now,
    };
    await this.collections.addresses.insertOne({
      _id: address.address,
      userId,
      publicKey: address.publicKeyHex,
      sealedKey: sealSecret(
        dek,
        address.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        `address:${address.address}`,
      ),
      purpose: 'receive',
      createdAt: now,
    });
    try {
      await this.collections.users.insertOne(user);
    } catch (error) {
      await this.collections.addresses.deleteOne({ _id: address.address });
      if (isDuplicateKey(error)) {
        throw conflict('username-taken', 'Username taken', `the username ${username} is taken`);
      }
      throw error;
    }
    return user;
  }

  /** Registers a random, nameless enrollment id with wallet.role at the org's CA and enrolls it. */
  private async enrollFabricIdentity(role: Role): Promise<PemIdentity & { enrollmentId: string }> {
    // Merchants belong to the cinema org when one is configured; everyone else to the wallet org.
    const merchantCa = role === 'merchant' ? this.fabric.merchantCa : undefined;
    const ca = merchantCa ?? { ...this.fabric.ca, registrar: this.fabric.registrar };
    const client = new CaClient(ca.url, ca.tlsRootCert, ca.caName);
    const enrollmentId = `u-${randomBytes(12).toString('hex')}`;
    const registrar = {
      certificate: ca.registrar.certificate,
      privateKeyPem: ca.registrar.privateKeyPem,
      caCert: '',
      mspId: ca.registrar.mspId,
    };
    const secret = await client.register(registrar, {
      id: enrollmentId,
      type: 'client',
      attrs: { 'wallet.role': role },
    });
    const enrolled = await client.enroll(enrollmentId, secret);
    return {
      enrollmentId,
      mspId: ca.registrar.mspId,
      certificate: enrolled.certificate,
      privateKeyPem: enrolled.privateKeyPem,
    };
  }

  /** Checks the password (with lockout) and opens a session; returns the bearer token once. */
  async login(
    usernameInput: string,
    password: string,
    now = new Date(),
  ): Promise<{ token: string; expiresAt: Date; user: UserDoc }> {
    const username = usernameInput.toLowerCase();
    const user = await this.collections.users.findOne({ username });
    // Counted per username, known or not, and an unknown one is hashed too: neither the
    // answers (401 five times, then 429) nor their timing tell which usernames exist.
    const ok = await this.logins.attempt(
      username,
      async () =>
        user ? this.hasher.verify(password, user.passwordHash) : (await this.hasher.hash(password), false),
      now,
    );
    if (!user || !ok) {
      throw new ApiError(
        401,
        'invalid-credentials',
        'Wrong username or password',
        'the username or the password is wrong',
      );
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs);
    await this.collections.sessions.insertOne({
      _id: sessionHash(token),
      userId: user._id,
      createdAt: now,
      expiresAt,
    });
    return { token, expiresAt, user };
  }

  /** The user of a bearer token; 401 when unknown or expired (expired sessions are removed). */
  async authenticate(token: string, now = new Date()): Promise<{ user: UserDoc; sessionId: string }> {
    const sessionId = sessionHash(token);
    const session = await this.collections.sessions.findOne({ _id: sessionId });
    if (!session) throw unauthorized('the session is unknown or was ended; log in again');
    if (session.expiresAt <= now) {
      await this.collections.sessions.deleteOne({ _id: sessionId });
      throw unauthorized('the session expired; log in again');
    }
    const user = await this.collections.users.findOne({ _id: session.userId });
    if (!user) throw unauthorized('the account no longer exists');
    return { user, sessionId };
  }

  async logout(sessionId: string): Promise<void> {
    await this.collections.sessions.deleteOne({ _id: sessionId });
  }

  /**
   * Changes the login password and ends every other session. The current password is checked
   * under the login attempt limit (a stolen session cannot guess it freely), and the change is
   * a compare-and-set: of two concurrent changes one wins and the other gets 409.
   */
  async changePassword(
    user: UserDoc,
    sessionId: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<void> {
    const ok = await this.logins.attempt(user.username, () =>
      this.hasher.verify(oldPassword, user.passwordHash),
    );
    if (!ok) throw forbidden('the current password is wrong');
    const changed = await this.collections.users.updateOne(
      { _id: user._id, passwordHash: user.passwordHash },
      { $set: { passwordHash: await this.hasher.hash(newPassword), passwordChangedAt: new Date() } },
    );
    if (changed.matchedCount === 0)
      throw conflict(
        'concurrent-change',
        'Changed meanwhile',
        'the login password was changed by another request; log in again with the new one',
      );
    await this.collections.sessions.deleteMany({ userId: user._id, _id: { $ne: sessionId } });
  }

  /** Re-wraps the key vault under a new payment password; the old one stops working. */
  async changePaymentPassword(
    user: UserDoc,
    oldPaymentPassword: string,
    newPaymentPassword: string,
  ): Promise<void> {
    // No re-wrap of an older vault on the way: the change below replaces it (compare-and-set
    // on the wrap this request opened).
    const { dek } = await this.unlock(user, oldPaymentPassword, new Date(), { rewrap: false });
    const vault = wrapDek(this.keyring, dek, newPaymentPassword, user._id);
    const result = await this.collections.users.updateOne(
      { _id: user._id, 'vault.sealedDek': user.vault.sealedDek },
      { $set: { vault } },
    );
    if (result.modifiedCount !== 1)
      throw conflict(
        'concurrent-change',
        'Changed meanwhile',
        'the payment password was changed by another request; try again',
      );
  }

  /**
   * Opens the vault with the payment password: the user's Fabric identity and data key. The
   * attempt is counted before the password is checked (AttemptLimiter). A vault of an older
   * format or key is re-wrapped under the keyring's current key, unless it changed meanwhile.
   */
  async unlock(
    user: UserDoc,
    paymentPassword: string,
    now = new Date(),
    options: { rewrap: boolean } = { rewrap: true },
  ): Promise<{ dek: Buffer; identity: PemIdentity }> {
    const unwrapped: { value?: { dek: Buffer; stale: boolean } | undefined } = {};
    try {
      const ok = await this.paymentPasswords.attempt(
        user._id,
        async () => {
          unwrapped.value = await unwrapDek(this.keyring, user.vault, paymentPassword, user._id);
          return unwrapped.value !== undefined;
        },
        now,
      );
      if (!ok) throw forbidden('the payment password is wrong');
    } catch (error) {
      if (error instanceof KeyringError)
        throw unavailable(
          "this account's keys are wrapped under a vault key the server does not have; an operator must restore it to the vault keyring",
        );
      throw error;
    }
    const { dek, stale } = unwrapped.value as { dek: Buffer; stale: boolean };
    if (stale && options.rewrap)
      await this.collections.users.updateOne(
        { _id: user._id, 'vault.sealedDek': user.vault.sealedDek },
        { $set: { vault: wrapDek(this.keyring, dek, paymentPassword, user._id) } },
      );
    return {
      dek,
      identity: {
        mspId: user.fabric.mspId,
        certificate: user.fabric.certificate,
        privateKeyPem: openSecret(dek, user.fabric.sealedKey, 'fabric'),
      },
    };
  }
}
