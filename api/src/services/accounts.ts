import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateAddressKey } from '@fabric-wallet/ccaas/protocol';
import { CaClient } from '@fabric-wallet/operator/fabric';
import type { FabricConfig, PemIdentity } from '../config.js';
import type { Collections, Role, UserDoc } from '../db/mongo.js';
import { ApiError, conflict, forbidden, tooManyRequests, unauthorized } from '../errors.js';
import { hashPassword, verifyPassword } from '../security/passwords.js';
import { newVault, openSecret, sealSecret, unwrapDek, wrapDek } from '../security/vault.js';
import { isDuplicateKey } from '../db/mongo.js';

/** Failed logins in a row before the account is locked, and for how long. */
const LOGIN_FAILURES_MAX = 5;
const LOCK_MS = 15 * 60_000;

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
  ) {}

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
    const { wrapped, dek } = await newVault(input.paymentPassword, userId);
    const now = new Date();
    const user: UserDoc = {
      _id: userId,
      username,
      passwordHash: await hashPassword(input.password),
      role,
      vault: wrapped,
      fabric: {
        enrollmentId: enrolled.enrollmentId,
        mspId: enrolled.mspId,
        certificate: enrolled.certificate,
        sealedKey: sealSecret(dek, enrolled.privateKeyPem, 'fabric'),
      },
      receiveAddress: address.address,
      failedLogins: 0,
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
    if (user?.lockedUntil && user.lockedUntil > now) {
      throw tooManyRequests(
        'too many failed logins; try again later',
        Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000),
      );
    }
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await hashPassword(password), false);
    if (!user || !ok) {
      if (user) {
        const failures = user.failedLogins + 1;
        await this.collections.users.updateOne(
          { _id: user._id },
          failures >= LOGIN_FAILURES_MAX
            ? { $set: { failedLogins: 0, lockedUntil: new Date(now.getTime() + LOCK_MS) } }
            : { $set: { failedLogins: failures } },
        );
      }
      throw new ApiError(
        401,
        'invalid-credentials',
        'Wrong username or password',
        'the username or the password is wrong',
      );
    }
    await this.collections.users.updateOne(
      { _id: user._id },
      { $set: { failedLogins: 0 }, $unset: { lockedUntil: '' } },
    );
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

  /** Changes the login password and ends every other session. */
  async changePassword(
    user: UserDoc,
    sessionId: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<void> {
    if (!(await verifyPassword(oldPassword, user.passwordHash)))
      throw forbidden('the current password is wrong');
    await this.collections.users.updateOne(
      { _id: user._id },
      { $set: { passwordHash: await hashPassword(newPassword), passwordChangedAt: new Date() } },
    );
    await this.collections.sessions.deleteMany({ userId: user._id, _id: { $ne: sessionId } });
  }

  /** Re-wraps the key vault under a new payment password; the old one stops working. */
  async changePaymentPassword(
    user: UserDoc,
    oldPaymentPassword: string,
    newPaymentPassword: string,
  ): Promise<void> {
    const { dek } = await this.unlock(user, oldPaymentPassword);
    const vault = await wrapDek(dek, newPaymentPassword, user._id);
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

  /** Opens the vault with the payment password: the user's Fabric identity and data key. */
  async unlock(
    user: UserDoc,
    paymentPassword: string,
    now = new Date(),
  ): Promise<{ dek: Buffer; identity: PemIdentity }> {
    // Guessing the payment password is throttled like logins: a stolen session alone must not
    // be enough to find it.
    const current = await this.collections.users.findOne(
      { _id: user._id },
      { projection: { paymentFailures: 1, paymentLockedUntil: 1 } },
    );
    if (current?.paymentLockedUntil && current.paymentLockedUntil > now) {
      throw tooManyRequests(
        'too many wrong payment passwords; try again later',
        Math.ceil((current.paymentLockedUntil.getTime() - now.getTime()) / 1000),
      );
    }
    const dek = await unwrapDek(user.vault, paymentPassword, user._id);
    if (!dek) {
      const failures = (current?.paymentFailures ?? 0) + 1;
      await this.collections.users.updateOne(
        { _id: user._id },
        failures >= LOGIN_FAILURES_MAX
          ? { $set: { paymentFailures: 0, paymentLockedUntil: new Date(now.getTime() + LOCK_MS) } }
          : { $set: { paymentFailures: failures } },
      );
      throw forbidden('the payment password is wrong');
    }
    if (current?.paymentFailures)
      await this.collections.users.updateOne({ _id: user._id }, { $set: { paymentFailures: 0 } });
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
