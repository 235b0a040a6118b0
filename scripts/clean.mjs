#!/usr/bin/env node
// Empties every package's dist/ before a build: rollup names chunks by hash, so old ones would pile up and ship.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.env.PKG?.split(',');
for (const pkg of readdirSync(`${root}packages`)) {
  if (!only || only.includes(pkg)) rmSync(`${root}packages/${pkg}/dist`, { recursive: true, force: true });
}
