#!/usr/bin/env node
// `pnpm start`: builds the packages when they are not built yet, lays the browser bundles into the examples
// site, and starts `labelkit serve` on it. Extra arguments go to `labelkit serve` (e.g. `pnpm start --port 9000`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = ['core', 'elements', 'models', 'server'].every((p) => existsSync(`${root}packages/${p}/dist/index.js`));
if (!built || process.env.LABELKIT_REBUILD) {
  const r = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
mkdirSync(`${root}examples/lib`, { recursive: true });
cpSync(`${root}packages/elements/dist/cdn`, `${root}examples/lib`, { recursive: true });

const r = spawnSync(
  process.execPath,
  [`${root}packages/server/dist/cli.js`, 'serve', '--site', `${root}examples`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 0);
