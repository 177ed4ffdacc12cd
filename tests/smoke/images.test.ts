import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, toolBin, toolDir, toolVersion } from '@fabric-wallet/operator/tools';
import { run } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * The cluster's images as scripts/cluster/images.sh builds them (no registry, no Docker): each
 * tarball is read as `ctr images import` reads it (manifest.json, the config blob, the layers)
 * and its files through `crane export`. What the chart, the operator and the kubelet rely on:
 * the refs in images.env, linux/amd64, entrypoint or command, numeric users with /etc/passwd
 * entries, environment, working directory, and the files each program needs.
 */

const exec = promisify(execFile);
const registry = 'localhost/fabric-wallet';
const workspaceVersion = (name: string) =>
  (JSON.parse(readFileSync(join(repoRoot, name, 'package.json'), 'utf8')) as { version: string }).version;
// Both builds of the test name the same time, so a commit in between changes no digest.
const buildEnv = { SOURCE_DATE_EPOCH: '1767225600' };

interface Expected {
  readonly key: string;
  readonly ref: string;
  readonly entrypoint?: string[];
  readonly cmd?: string[];
  readonly user: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
}

const path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const fabricEnv = { PATH: path, FABRIC_CFG_PATH: '/etc/hyperledger/fabric' };
const nodeEnv = { PATH: path, NODE_ENV: 'production' };
const postgresMajor = toolVersion('POSTGRES_MAJOR');

const expected: Record<string, Expected> = {
  pause: {
    key: 'PAUSE_IMAGE',
    ref: `${registry}/pause:${toolVersion('PAUSE_IMAGE_TAG')}`,
    entrypoint: ['/pause'],
    user: '65535:65535',
    workdir: '/',
    env: { PATH: path },
  },
  coredns: {
    key: 'COREDNS_IMAGE',
    ref: `${registry}/coredns:${toolVersion('COREDNS_VERSION').replace(/^v/, '')}`,
    entrypoint: ['/coredns'],
    user: '65532:65532',
    workdir: '/',
    env: { PATH: path },
  },
  // The operator gives no command for the peer and the orderer (args only): no entrypoint.
  'fabric-peer': {
    key: 'PEER_IMAGE',
    ref: `${registry}/fabric-peer:${toolVersion('FABRIC_VERSION')}`,
    cmd: ['peer', 'node', 'start'],
    user: '0:0',
    workdir: '/',
    env: fabricEnv,
  },
  'fabric-orderer': {
    key: 'ORDERER_IMAGE',
    ref: `${registry}/fabric-orderer:${toolVersion('FABRIC_VERSION')}`,
    cmd: ['orderer'],
    user: '0:0',
    workdir: '/',
    env: fabricEnv,
  },
  'fabric-ca': {
    key: 'CA_IMAGE',
    ref: `${registry}/fabric-ca:${toolVersion('FABRIC_CA_VERSION').replace(/^v/, '')}`,
    cmd: ['fabric-ca-server', 'start'],
    user: '0:0',
    workdir: '/',
    env: { PATH: path, FABRIC_CA_HOME: '/etc/hyperledger/fabric-ca-server' },
  },
  operator: {
    key: 'OPERATOR_IMAGE',
    ref: `${registry}/operator:${workspaceVersion('operator')}`,
    cmd: ['node', 'operator/dist/cli/operator.js'],
    user: '1000:1000',
    workdir: '/app',
    env: { ...nodeEnv, FABRIC_WALLET_TOOLS_DIR: '/opt/fabric-wallet/tools' },
  },
  api: {
    key: 'API_IMAGE',
    ref: `${registry}/api:${workspaceVersion('api')}`,
    cmd: ['node', 'api/dist/cli/serve.js'],
    user: '1000:1000',
    workdir: '/app',
    env: nodeEnv,
  },
  ccaas: {
    key: 'CHAINCODE_IMAGE',
    ref: `${registry}/ccaas:${workspaceVersion('ccaas')}`,
    cmd: ['node', 'dist/main.js'],
    user: '1000:1000',
    workdir: '/app/ccaas',
    env: nodeEnv,
  },
  // The chart runs it as uid 999 with mongod's arguments: they go to the entrypoint.
  ferretdb: {
    key: 'FERRETDB_IMAGE',
    ref: `${registry}/ferretdb:${toolVersion('FERRETDB_VERSION').replace(/^v/, '')}`,
    entrypoint: ['/usr/local/bin/ferretdb-entrypoint'],
    user: '999:999',
    workdir: '/data/db',
    env: { PG_MAJOR: postgresMajor, DO_NOT_TRACK: '1' },
  },
};
const names = Object.keys(expected);

interface ImageConfig {
  architecture: string;
  os: string;
  config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
  };
  rootfs: { diff_ids: string[] };
}

interface Entry {
  /** The name as stored (the Debian base's files start with ./). */
  readonly name: string;
  readonly type: string;
  readonly owner: string;
  readonly target?: string;
}

/** One file of a tarball, as text. */
async function member(tarball: string, name: string): Promise<string> {
  const { stdout } = await exec('tar', ['--extract', '--to-stdout', `--file=${tarball}`, name], {
    maxBuffer: 64 << 20,
  });
  return stdout;
}

describe('container images built without a registry (scripts/cluster/images.sh)', () => {
  let temp: TempDir;
  let out: string;
  let env: Map<string, string>;
  const crane = () => toolBin('crane', 'crane');
  const tarball = (name: string) => join(out, `${name}.tar`);
  const filesystems = new Map<string, { file: string; entries: Map<string, Entry> }>();

  /** The image's flattened filesystem (crane export), listed once. */
  async function filesystem(name: string) {
    const known = filesystems.get(name);
    if (known) return known;
    const file = join(temp.path, `${name}.fs.tar`);
    const exported = await run('bash', ['-c', `"$0" export - "$1" < "$2"`, crane(), file, tarball(name)]);
    expect(exported.code, exported.output).toBe(0);
    const { stdout } = await exec('tar', ['--list', '--verbose', '--numeric-owner', `--file=${file}`], {
      maxBuffer: 256 << 20,
    });
    const entries = new Map<string, Entry>();
    for (const line of stdout.split('\n')) {
      const match = /^(\S)\S+ (\d+\/\d+) +\d+ \S+ \S+ (.+?)(?: -> (.+))?$/.exec(line);
      if (!match?.[1] || !match[2] || !match[3]) continue;
      const entryPath = match[3].replace(/^\.\//, '').replace(/\/$/, '');
      entries.set(entryPath, {
        name: match[3],
        type: match[1],
        owner: match[2],
        ...(match[4] ? { target: match[4] } : {}),
      });
    }
    const listed = { file, entries };
    filesystems.set(name, listed);
    return listed;
  }

  /** A file of the image's filesystem, as text. */
  async function read(name: string, file: string): Promise<string> {
    const fs = await filesystem(name);
    const entry = fs.entries.get(file);
    if (!entry) throw new Error(`${name} has no ${file}`);
    return member(fs.file, entry.name);
  }

  async function config(name: string): Promise<{ tags: string[]; config: ImageConfig; layers: number }> {
    const manifest = JSON.parse(await member(tarball(name), 'manifest.json')) as {
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }[];
    expect(manifest).toHaveLength(1);
    const [image] = manifest;
    if (!image) throw new Error(`${name}.tar has no image`);
    return {
      tags: image.RepoTags,
      config: JSON.parse(await member(tarball(name), image.Config)) as ImageConfig,
      layers: image.Layers.length,
    };
  }

  beforeAll(async () => {
    temp = await tempDir('images');
    out = join(temp.path, 'out');
    const built = await run('bash', [join(repoRoot, 'scripts', 'cluster', 'images.sh'), out], buildEnv);
    if (built.code !== 0) throw new Error(`scripts/cluster/images.sh failed:\n${built.output.slice(-4000)}`);
    env = new Map(
      (await readFile(join(out, 'images.env'), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  }, 20 * 60_000);

  afterAll(async () => {
    await temp.remove();
  });

  it('writes images.env with one ref per image, all under localhost/fabric-wallet/', () => {
    expect(Object.fromEntries(env)).toEqual(
      Object.fromEntries(Object.values(expected).map(({ key, ref }) => [key, ref])),
    );
  });

  it.each(names)(
    '%s: the ref, linux/amd64, and the configuration the chart and operator rely on',
    async (name) => {
      const want = expected[name];
      if (!want) throw new Error(name);

      const { tags, config: image, layers } = await config(name);

      expect(tags).toEqual([want.ref]);
      expect([image.os, image.architecture]).toEqual(['linux', 'amd64']);
      expect(image.rootfs.diff_ids).toHaveLength(layers);
      expect(image.config.User).toBe(want.user);
      expect(image.config.WorkingDir).toBe(want.workdir);
      expect(image.config.Entrypoint ?? undefined).toEqual(want.entrypoint);
      expect(image.config.Cmd ?? undefined).toEqual(want.cmd);
      const imageEnv = Object.fromEntries(
        (image.config.Env ?? []).map((line) => [
          line.slice(0, line.indexOf('=')),
          line.slice(line.indexOf('=') + 1),
        ]),
      );
      expect(imageEnv).toMatchObject(want.env);
      expect(imageEnv.PATH?.split(':')).toContain('/usr/local/bin');
    },
  );

  /** crane validate of each tarball, two at a time from the first case on (each reads the whole tarball). */
  const validations = new Map<string, Promise<{ code: number | null; output: string }>>();
  const validation = (name: string) => {
    if (validations.size === 0) {
      let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
      names.forEach((each, i) => {
        const lane = i % 2;
        const next = (chain[lane] ?? Promise.resolve()).then(() =>
          run(crane(), ['validate', '--tarball', tarball(each)]),
        );
        chain = chain.map((previous, index) => (index === lane ? next : previous));
        validations.set(each, next);
      });
    }
    const started = validations.get(name);
    if (!started) throw new Error(`no image ${name}`);
    return started;
  };

  it.each(names)('%s: crane validates the tarball (layer digests and diff ids)', async (name) => {
    const { code, output } = await validation(name);

    expect(code, output).toBe(0);
    expect(output).toContain('PASS');
  });

  it.each(names)('%s: its user has an /etc/passwd entry', async (name) => {
    const uid = expected[name]?.user.split(':')[0] ?? '';

    const passwd = await read(name, 'etc/passwd');

    expect(passwd.split('\n').map((line) => line.split(':')[2])).toContain(uid);
  });

  it('fabric-peer: peer on PATH, core.yaml in FABRIC_CFG_PATH, the CCaaS builder where core.yaml points', async () => {
    const { entries } = await filesystem('fabric-peer');
    const core = parse(await read('fabric-peer', 'etc/hyperledger/fabric/core.yaml')) as {
      chaincode: { externalBuilders: { name: string; path: string }[] };
    };

    expect(entries.get('usr/local/bin/peer')?.type).toBe('-');
    for (const step of ['detect', 'build', 'release'])
      expect(entries.get(`opt/hyperledger/ccaas_builder/bin/${step}`)?.type, step).toBe('-');
    expect(core.chaincode.externalBuilders).toContainEqual(
      expect.objectContaining({ name: 'ccaas_builder', path: '/opt/hyperledger/ccaas_builder' }),
    );
  });

  it('fabric-orderer and fabric-ca: their binaries and configuration', async () => {
    const orderer = (await filesystem('fabric-orderer')).entries;
    const ca = (await filesystem('fabric-ca')).entries;

    expect(orderer.get('usr/local/bin/orderer')?.type).toBe('-');
    expect(orderer.get('etc/hyperledger/fabric/orderer.yaml')?.type).toBe('-');
    expect(ca.get('usr/local/bin/fabric-ca-server')?.type).toBe('-');
    expect(ca.get('usr/local/bin/fabric-ca-client')?.type).toBe('-');
  });

  it('operator: Node 22, the built operator and fabric-client, its production modules, configtxgen where paths.ts looks', async () => {
    const { entries } = await filesystem('operator');
    const tools = `opt/fabric-wallet/tools/${basename(toolDir('fabric'))}`;

    expect(entries.get('usr/local/bin/node')?.type).toBe('-');
    expect(entries.get('app/operator/dist/cli/operator.js')?.type).toBe('-');
    expect(entries.get('app/fabric-client/dist/index.js')?.type).toBe('-');
    expect(entries.get('app/scripts/tools/versions.env')?.type).toBe('-');
    for (const workspace of ['operator', 'fabric-client'])
      expect(entries.get(`app/node_modules/@fabric-wallet/${workspace}`), workspace).toMatchObject({
        type: 'l',
        target: `../../${workspace}`,
      });
    expect(entries.get('app/node_modules/@hyperledger/fabric-gateway/package.json')?.type).toBe('-');
    expect(entries.get(`${tools}/bin/configtxgen`)?.type).toBe('-');
    expect(entries.has(`${tools}/bin/peer`)).toBe(false);
    // Production dependencies only.
    expect(entries.has('app/node_modules/vitest')).toBe(false);
    expect(entries.has('app/node_modules/typescript')).toBe(false);
  });

  it('api: the API, the chaincode protocol and fabric-client it imports, the web wallet', async () => {
    const { entries } = await filesystem('api');

    for (const file of [
      'app/api/dist/cli/serve.js',
      'app/fabric-client/dist/index.js',
      'app/ccaas/dist/index.js',
      'app/api/public/wallet/index.html',
      'app/node_modules/hono/package.json',
      'app/node_modules/mongodb/package.json',
      'app/node_modules/fabric-ca-client/package.json',
    ])
      expect(entries.get(file)?.type, file).toBe('-');
    for (const workspace of ['api', 'ccaas', 'fabric-client'])
      expect(entries.get(`app/node_modules/@fabric-wallet/${workspace}`), workspace).toMatchObject({
        type: 'l',
        target: `../../${workspace}`,
      });
    expect(entries.has('app/node_modules/vitest')).toBe(false);
  });

  it('api: no operator (no operator/ directory, no link to it, no tool versions)', async () => {
    const { entries } = await filesystem('api');
    const names = [...entries.keys()];

    expect(names.filter((file) => file === 'app/operator' || file.startsWith('app/operator/'))).toEqual([]);
    expect(entries.has('app/node_modules/@fabric-wallet/operator')).toBe(false);
    expect(entries.has('app/scripts/tools/versions.env')).toBe(false);
    expect(names.filter((file) => file.startsWith('app/') && file.split('/').length === 2).sort()).toEqual([
      'app/api',
      'app/ccaas',
      'app/fabric-client',
      'app/node_modules',
      'app/package-lock.json',
      'app/package.json',
    ]);
  });

  it('ccaas: the chaincode server without its tests, fabric-shim, owned by root (read-only to uid 1000)', async () => {
    const { entries } = await filesystem('ccaas');
    const dist = [...entries.keys()].filter((file) => file.startsWith('app/ccaas/dist/'));

    expect(entries.get('app/ccaas/dist/main.js')?.type).toBe('-');
    expect(entries.get('app/node_modules/fabric-shim/package.json')?.type).toBe('-');
    expect(dist.filter((file) => /\.test\.|\/testing\//.test(file))).toEqual([]);
    expect(new Set(dist.map((file) => entries.get(file)?.owner))).toEqual(new Set(['0/0']));
  });

  it('ferretdb: FerretDB, PostgreSQL with DocumentDB where Debian puts it, /data/db owned by uid 999', async () => {
    const { entries } = await filesystem('ferretdb');
    const lib = `usr/lib/postgresql/${postgresMajor}`;

    for (const file of [
      'usr/local/bin/ferretdb',
      'usr/local/bin/ferretdb-entrypoint',
      `${lib}/bin/postgres`,
      `${lib}/bin/initdb`,
      `${lib}/lib/pg_documentdb.so`,
      `usr/share/postgresql/${postgresMajor}/extension/documentdb.control`,
      `usr/share/postgresql/${postgresMajor}/extension/postgis.control`,
    ])
      expect(entries.get(file)?.type, file).toBe('-');
    expect(entries.get('data/db')).toMatchObject({ type: 'd', owner: '999/999' });
  });

  it("ferretdb: the entrypoint gives PostgreSQL the local runtime's settings (operator/src/tools/outer-db.ts)", async () => {
    const source = await readFile(join(repoRoot, 'operator', 'src', 'tools', 'outer-db.ts'), 'utf8');
    const body = /function postgresSettings[\s\S]*?\n}\n/.exec(source)?.[0] ?? '';
    const settings = [...body.matchAll(/'([a-z_.]+=[^']*)'/gi)]
      .map((match) => match[1] ?? '')
      .filter((setting) => !setting.startsWith('port='));

    const entrypoint = await read('ferretdb', 'usr/local/bin/ferretdb-entrypoint');

    expect(settings.length).toBeGreaterThan(10);
    expect(entrypoint).toContain('port=5432');
    for (const setting of settings) expect(entrypoint, setting).toContain(setting);
    expect(entrypoint).toContain('--telemetry=disable');
  });

  it('builds the same image again from the same sources (cached base layers, same digests)', async () => {
    const again = join(temp.path, 'again');

    const built = await run(
      'bash',
      [join(repoRoot, 'scripts', 'cluster', 'images.sh'), again, 'pause', 'ccaas'],
      buildEnv,
    );

    expect(built.code, built.output).toBe(0);
    expect(built.output).not.toContain('building the cached layer');
    for (const name of ['pause', 'ccaas']) {
      const first = JSON.parse(await member(tarball(name), 'manifest.json')) as unknown;
      const second = JSON.parse(await member(join(again, `${name}.tar`), 'manifest.json')) as unknown;
      expect(second, name).toEqual(first);
    }
    await rm(again, { recursive: true, force: true });
  });
});
