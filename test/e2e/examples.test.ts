// Each embedding example loads from the real server, draws a box with real pointer events and logs no error.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningServer, silentLogger, startServer } from '@labelkit/server';
import type { Browser, BrowserContext } from 'playwright-core';
import { dragIn, launch, openPage } from './browser.ts';

const site = fileURLToPath(new URL('../../examples', import.meta.url));

describe('examples', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  before(async () => {
    server = await startServer({
      port: 0,
      site,
      warm: false,
      logger: silentLogger,
      dataDir: mkdtempSync(join(tmpdir(), 'labelkit-e2e-')),
    });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const name of ['vanilla', 'react', 'vue']) {
    it(`${name}: loads, draws a box, no console errors`, async () => {
      context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      try {
        const { page, problems } = await openPage(context, `${server.url}/${name}/`);
        await page
          .locator('#status')
          .filter({ hasText: /Loaded \d+×\d+/ })
          .waitFor({ timeout: 15_000 });
        await dragIn(page, 'label-canvas', [0.3, 0.3], [0.6, 0.55]);
        await page
          .locator('#status')
          .filter({ hasText: /1 shapes/ })
          .waitFor({ timeout: 5_000 });
        const shapes = await page.evaluate(
          () =>
            (document.querySelector('label-canvas') as unknown as { document: { shapes: { type: string }[] } }).document
              .shapes,
        );
        assert.equal(shapes.length, 1);
        assert.equal(shapes[0]?.type, 'box');
        if (name !== 'vanilla') {
          // Controlled document: the app's state replaces the canvas's document.
          await page.getByRole('button', { name: 'Remove all shapes' }).click();
          await page.waitForFunction(
            () =>
              (document.querySelector('label-canvas') as unknown as { document: { shapes: unknown[] } }).document.shapes
                .length === 0,
          );
        } else {
          // The vanilla page keeps the document in localStorage: a reload shows the box again.
          await page.reload();
          await page
            .locator('#status')
            .filter({ hasText: /1 shapes/ })
            .waitFor({ timeout: 15_000 });
        }
        assert.deepEqual(problems.errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
