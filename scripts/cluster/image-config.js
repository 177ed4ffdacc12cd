#!/usr/bin/env node
// Sets the run-time configuration of an image that `crane append` wrote, without a registry
// (crane mutate works only on images in a registry). Used by scripts/cluster/images.sh.
//
//   node scripts/cluster/image-config.js <dir> '<spec json>'
//
// <dir> holds the unpacked image tarball (manifest.json, the config blob `sha256:<hex>`, the
// layers). The spec gives the platform, entrypoint, cmd, env, user, working directory, exposed
// ports, labels, creation time and one description per layer (the image's history). The
// config is written under its new digest and manifest.json is pointed at it; the new config
// digest (the image id) is printed.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, specText] = process.argv.slice(2);
if (!dir || !specText) {
  console.error("usage: node scripts/cluster/image-config.js <unpacked image dir> '<spec json>'");
  process.exit(2);
}
const spec = JSON.parse(specText);
const manifestPath = join(dir, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
if (!Array.isArray(manifest) || manifest.length !== 1) {
  throw new Error(`${manifestPath}: expected one image, found ${String(manifest.length)}`);
}
const [image] = manifest;
const layerCount = image.Layers.length;
if (spec.layers.length !== layerCount) {
  throw new Error(`the spec describes ${spec.layers.length} layers, the image has ${layerCount}`);
}

const config = JSON.parse(readFileSync(join(dir, image.Config), 'utf8'));
const [os, architecture] = spec.platform.split('/');
const runtime = {
  User: spec.user,
  Env: spec.env,
  Entrypoint: spec.entrypoint,
  Cmd: spec.cmd,
  WorkingDir: spec.workdir,
  ExposedPorts: spec.ports?.length ? Object.fromEntries(spec.ports.map((port) => [port, {}])) : undefined,
  Labels: spec.labels,
};
const updated = {
  ...config,
  architecture,
  os,
  created: spec.created,
  config: Object.fromEntries(Object.entries(runtime).filter(([, value]) => value !== undefined)),
  history: spec.layers.map((description) => ({
    created: spec.created,
    created_by: description,
    comment: 'scripts/cluster/images.sh',
  })),
};

const text = JSON.stringify(updated);
const digest = createHash('sha256').update(text).digest('hex');
rmSync(join(dir, image.Config));
writeFileSync(join(dir, `sha256:${digest}`), text);
image.Config = `sha256:${digest}`;
writeFileSync(manifestPath, JSON.stringify(manifest));
console.log(`sha256:${digest}`);
