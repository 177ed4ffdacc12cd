import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { repoRoot, toolDir, toolVersion } from '@fabric-wallet/operator/tools';

/**
 * The Dockerfiles and skaffold.yaml (the inner loop on a cluster with a container engine) kept
 * consistent with the repository and the chart. Nothing is built here: the images the test
 * cluster runs are built and checked by tests/smoke/images.test.ts (scripts/cluster/images.sh).
 */
interface Skaffold {
  apiVersion: string;
  build: {
    artifacts: { image: string; context: string; docker: { dockerfile: string; cliFlags?: string[] } }[];
  };
  deploy: {
    helm: {
      releases: {
        chartPath: string;
        setValueTemplates: Record<string, string>;
        setValues: Record<string, unknown>;
      }[];
    };
  };
}

const skaffold = parse(readFileSync(join(repoRoot, 'skaffold.yaml'), 'utf8')) as Skaffold;
const values = parse(readFileSync(join(repoRoot, 'helm', 'fabric-wallet', 'values.yaml'), 'utf8')) as Record<
  string,
  unknown
>;

function hasPath(root: unknown, path: string): boolean {
  return path.split('.').every((key) => {
    if (typeof root !== 'object' || root === null || !(key in root)) return false;
    root = (root as Record<string, unknown>)[key];
    return true;
  });
}

describe('container images and skaffold.yaml', () => {
  it.each(['operator', 'ccaas', 'api'])(
    '%s/Dockerfile is multi-stage on Node 22 (base images as build arguments), runs as a numeric non-root user, copies only what exists',
    (name) => {
      const text = readFileSync(join(repoRoot, name, 'Dockerfile'), 'utf8');
      const defaults = new Map(
        [...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
      );
      const bases = [...text.matchAll(/^FROM (\S+)/gm)].map((match) => match[1] ?? '');
      const froms = bases.map((base) => defaults.get(/^\$\{(\w+)\}$/.exec(base)?.[1] ?? '') ?? base);

      expect(froms.length).toBeGreaterThanOrEqual(2);
      expect(bases.filter((base) => !/^\$\{\w+\}$/.test(base))).toEqual([]);
      expect(froms.filter((image) => image.startsWith('node:22'))).not.toHaveLength(0);
      // Numeric, so the kubelet can check runAsNonRoot (the node user of the Node images).
      expect(text).toMatch(/^USER 1000:1000$/m);
      for (const [, source] of text.matchAll(/^COPY (?!--from)(\S+)/gm))
        expect(existsSync(join(repoRoot, source ?? '')), `${name}/Dockerfile copies ${source ?? ''}`).toBe(
          true,
        );
      const command = /^CMD \["node", "([^"]+)"\]/m.exec(text)?.[1] ?? '';
      const workdir = [...text.matchAll(/^WORKDIR (\S+)/gm)].at(-1)?.[1] ?? '/app';
      const entry = join(workdir.replace(/^\/app/, repoRoot), command)
        .replace(/\/dist\//, '/src/')
        .replace(/\.js$/, '.ts');
      expect(existsSync(entry), `${name} entrypoint ${entry}`).toBe(true);
    },
  );

  it('is valid against skaffold’s own JSON schema for its apiVersion', () => {
    const version = skaffold.apiVersion.replace('skaffold/', '');
    const schema = JSON.parse(
      readFileSync(join(toolDir('skaffold-schema'), 'schemas', `${version}.json`), 'utf8'),
    ) as object;
    // The published schemas carry editor hints (x-intellij-*) that strict mode would refuse.
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    const valid = validate(skaffold);

    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
    const typo = validate({ ...skaffold, deploy: { helm: { relases: [] } } });
    expect(typo).toBe(false);
  });

  it('hands the operator image Fabric’s source archive as the build context its Dockerfile copies from', () => {
    const operator = skaffold.build.artifacts.find((artifact) => artifact.image === 'fabric-wallet/operator');
    const flag = operator?.docker.cliFlags?.find((f) => f.startsWith('--build-context=fabric-source='));
    const dockerfile = readFileSync(join(repoRoot, 'operator', 'Dockerfile'), 'utf8');
    const archive = /^ARG FABRIC_ARCHIVE_NAME=(\S+)$/m.exec(dockerfile)?.[1];

    expect(dockerfile).toMatch(
      /^COPY --from=fabric-source \$\{FABRIC_ARCHIVE_NAME\} \/shared\/third_party\/$/m,
    );
    expect(archive).toBe(toolVersion('FABRIC_ARCHIVE_NAME'));
    expect(flag).toBeDefined();
    const dir = join(
      repoRoot,
      operator?.context ?? '.',
      (flag ?? '').replace('--build-context=fabric-source=', ''),
    );
    expect(existsSync(join(dir, archive ?? '')), `${dir}/${archive ?? ''}`).toBe(true);
  });

  it('names the operator, ccaas and api images, each with its own Dockerfile, and hands each to the chart', () => {
    const artifacts = skaffold.build.artifacts.map((artifact) => [
      artifact.image,
      artifact.docker.dockerfile,
    ]);
    const templates = Object.values(skaffold.deploy.helm.releases[0]?.setValueTemplates ?? {}).join('\n');

    expect(artifacts).toEqual([
      ['fabric-wallet/operator', 'operator/Dockerfile'],
      ['fabric-wallet/ccaas', 'ccaas/Dockerfile'],
      ['fabric-wallet/api', 'api/Dockerfile'],
    ]);
    // Skaffold names a built image's template variables after the image, '/' and '-' as '_'.
    for (const [image = ''] of artifacts)
      expect(templates, image).toMatch(
        new RegExp(`\\{\\{\\.IMAGE_\\w+_${image.replace(/[/-]/g, '_')}\\}\\}`),
      );
  });

  it('deploys the chart and sets only values the chart has', () => {
    const [release] = skaffold.deploy.helm.releases;

    expect(release?.chartPath).toBe('helm/fabric-wallet');
    const keys = [...Object.keys(release?.setValueTemplates ?? {}), ...Object.keys(release?.setValues ?? {})];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(hasPath(values, key), key).toBe(true);
  });
});
