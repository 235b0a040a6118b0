import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildReactEsm } from './fixtures/build-react-esm.ts';

test('the React ES module bundle used by the browser test matches the installed react', async () => {
  const committed = readFileSync(new URL('./fixtures/react-esm.js', import.meta.url), 'utf8');
  assert.ok(
    committed === (await buildReactEsm()),
    'fixtures/react-esm.js is stale: run `npx tsx packages/elements/src/react/fixtures/build-react-esm.ts`',
  );
});
