#!/usr/bin/env node
// Runs publint on every package (after `pnpm build`); fails on any error or warning.
import { readdirSync } from 'node:fs';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

let problems = 0;
for (const name of readdirSync('packages')) {
  const pkgDir = `packages/${name}`;
  const { messages, pkg } = await publint({ pkgDir, level: 'warning', strict: true, pack: 'pnpm' });
  for (const m of messages) {
    problems++;
    console.log(`${pkgDir}: [${m.type}] ${formatMessage(m, pkg)}`);
  }
  if (!messages.length) console.log(`${pkgDir}: publint clean`);
}
process.exit(problems ? 1 : 0);
