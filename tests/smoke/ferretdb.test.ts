import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolBin, toolVersion } from '@fabric-wallet/operator/tools';
import { startFerretDb } from '../support/ferretdb.js';
import { run, type Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('FerretDB (the outer DB server) answers the mongodb driver', () => {
  let ferret: Started;
  let client: MongoClient;
  let dir: TempDir;

  beforeAll(async () => {
    dir = await tempDir('ferretdb');
    const started = await startFerretDb(dir.path);
    ferret = started.process;
    client = new MongoClient(started.uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await ferret.stop();
    await dir.remove();
  });

  it('inserts a document and reads it back', async () => {
    const users = client.db('smoke').collection<{ _id: string; name: string }>('users');

    await users.insertOne({ _id: 'u1', name: 'alice' });

    expect(await users.findOne({ _id: 'u1' })).toEqual({ _id: 'u1', name: 'alice' });
  });

  it('rejects a document that violates a unique index with duplicate-key error 11000', async () => {
    const accounts = client.db('smoke').collection<{ login: string }>('accounts');
    await accounts.createIndex({ login: 1 }, { unique: true }, undefined);
    await accounts.insertOne({ login: 'bob' });

    const failure: unknown = await accounts.insertOne({ login: 'bob' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MongoServerError);
    expect((failure as MongoServerError).code).toBe(11000);
    expect(await accounts.countDocuments({ login: 'bob' })).toBe(1);
  });

  it('reports the pinned FerretDB version', async () => {
    const { code, output } = await run(toolBin('ferretdb', 'ferretdb'), ['--version']);

    expect(code, output).toBe(0);
    expect(output).toContain(`version: ${toolVersion('FERRETDB_VERSION')}`);
  });

  it('increments a counter atomically with findOneAndUpdate and $inc, upserting the first time', async () => {
    const counters = client.db('smoke').collection<{ _id: string; n: number }>('counters');

    const first = await counters.findOneAndUpdate(
      { _id: 'seq' },
      { $inc: { n: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const second = await counters.findOneAndUpdate(
      { _id: 'seq' },
      { $inc: { n: 5 } },
      { returnDocument: 'after' },
    );

    expect(first).toEqual({ _id: 'seq', n: 1 });
    expect(second).toEqual({ _id: 'seq', n: 6 });
  });
});
