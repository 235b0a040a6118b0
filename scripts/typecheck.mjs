#!/usr/bin/env node
// Type-checks every package with its own tsconfig (each has its own lib: core has no DOM), then the tools.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const projects = readdirSync('packages')
  .map((p) => `packages/${p}/tsconfig.json`)
  .filter((p) => existsSync(p));
projects.push('tsconfig.tools.json');
// The examples resolve @labelkit/* to the built packages, as an app from npm does: checked once they are built.
if (existsSync('examples/tsconfig.json') && existsSync('packages/elements/dist/react.d.ts'))
  projects.push('examples/tsconfig.json');
let failed = 0;
for (const project of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`typecheck failed: ${project}`);
  }
}
process.exit(failed ? 1 : 0);
