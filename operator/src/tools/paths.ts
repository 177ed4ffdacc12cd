import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { toolVersion } from './versions.js';

/** The tools the bootstrap builds; `core` ones run the network, the rest the Kubernetes tests. */
export type ToolName =
  | 'fabric'
  | 'fabric-ca'
  | 'ferretdb'
  | 'ferretdb-v1'
  | 'etcd'
  | 'kubernetes'
  | 'helm'
  | 'skaffold-schema'
  | 'containerd'
  | 'runc'
  | 'cni-plugins'
  | 'coredns'
  | 'crane';

const versionKey: Record<Exclude<ToolName, 'fabric' | 'ferretdb'>, string> = {
  'fabric-ca': 'FABRIC_CA_VERSION',
  'ferretdb-v1': 'FERRETDB_V1_VERSION',
  etcd: 'ETCD_VERSION',
  kubernetes: 'KUBERNETES_VERSION',
  helm: 'HELM_VERSION',
  'skaffold-schema': 'SKAFFOLD_VERSION',
  containerd: 'CONTAINERD_VERSION',
  runc: 'RUNC_VERSION',
  'cni-plugins': 'CNI_PLUGINS_VERSION',
  coredns: 'COREDNS_VERSION',
  crane: 'CRANE_VERSION',
};

/** Root of the versioned tool cache; the same rule as scripts/tools/bootstrap.sh. */
export function toolsCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.FABRIC_WALLET_TOOLS_DIR;
  if (explicit) return explicit;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg ?? join(homedir(), '.cache'), 'fabric-wallet', 'tools');
}

/** Directory of one tool's build (`bin/`, `build.log`, `.done`), named by its version. */
export function toolDir(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  if (tool === 'fabric') {
    // Built from a source archive: named by version and the archive's sha256, as the
    // bootstrap does, so another archive (FABRIC_SOURCE_SHA256) gets a build of its own.
    const sha = env.FABRIC_SOURCE_SHA256 ?? toolVersion('FABRIC_ARCHIVE_SHA256');
    return join(toolsCacheRoot(env), `fabric-${toolVersion('FABRIC_VERSION')}-${sha.slice(0, 12)}`);
  }
  if (tool === 'ferretdb') {
    // FerretDB with the PostgreSQL and DocumentDB it runs on, named by all three.
    const name = `ferretdb-${toolVersion('FERRETDB_VERSION')}-pg${toolVersion('POSTGRES_MAJOR')}-documentdb-${toolVersion('DOCUMENTDB_VERSION')}`;
    return join(toolsCacheRoot(env), name);
  }
  const name = tool === 'ferretdb-v1' ? 'ferretdb' : tool;
  // runc's recipe (built with seccomp) is part of its directory's name, as in the bootstrap.
  const recipe = tool === 'runc' ? '-seccomp' : '';
  return join(toolsCacheRoot(env), `${name}-${toolVersion(versionKey[tool])}${recipe}`);
}

/**
 * Absolute path of a tool binary. Throws with the command that builds it when it is absent,
 * so a missing tool is reported by name rather than as a spawn ENOENT.
 */
export function toolBin(tool: ToolName, binary: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = join(toolDir(tool, env), 'bin', binary);
  if (!existsSync(path)) {
    throw new Error(
      `${binary} is not built (expected ${path}); run: bash scripts/tools/bootstrap.sh ${tool}`,
    );
  }
  return path;
}

/** Fabric's sample configuration (core.yaml, orderer.yaml, configtx.yaml) kept with the build. */
export function fabricConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolDir('fabric', env), 'config');
}

/**
 * Fabric's own CCaaS external builder (bin/detect, bin/build, bin/release), built with the
 * peer from the same release: the directory a peer's `chaincode.externalBuilders[].path`
 * points at, as /opt/hyperledger/ccaas_builder is in Fabric's peer image.
 */
export function ccaasBuilderDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolDir('fabric', env), 'ccaas');
}
