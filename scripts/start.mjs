#!/usr/bin/env node
// `pnpm start`: builds the packages and examples when they are not built yet (`pnpm build` also lays the element
// bundle into examples/lib), and starts `labelkit serve` on it. Extra arguments go to `labelkit serve` (e.g. `pnpm start --port 9000`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const built =
  ['core', 'elements', 'models', 'server'].every((p) => existsSync(`${root}packages/${p}/dist/index.js`)) &&
  ['lib/labelkit-elements.js', 'react/dist/main.js', 'vue/dist/main.js', 'demo/dist/main.js'].every((f) =>
    existsSync(`${root}examples/${f}`),
  );
if (!built || process.env.LABELKIT_REBUILD) {
  const r = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const r = spawnSync(
  process.execPath,
  [
    `${root}packages/server/dist/cli.js`,
    'serve',
    '--site',
    `${root}examples`,
    // The demo's configuration (the generated demo dataset, anonymous access on this loopback-only server),
    // unless the caller gives one (`pnpm start --config my.json`) or LABELKIT_CONFIG names one.
    ...(args.includes('--config') || process.env.LABELKIT_CONFIG
      ? []
      : ['--config', `${root}examples/labelkit.config.json`]),
    ...args,
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 0);
