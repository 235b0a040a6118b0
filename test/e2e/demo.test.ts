// The demo end to end, in Debian's Chromium against the real server (started here, demo config): draw a box,
// accept a SAM click, autosave, next item, reload, history, export COCO; a network cut and a closed tab mid-edit;
// two users on two items at once. Run with the history on the fs driver, then on S3 (s3rver).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, type RunningServer, silentLogger, startServer } from '@labelkit/server';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { type RunningS3rver, startS3rver } from '../../packages/server/src/storage/contract/s3rver.ts';
import { dragIn, launch, openPage } from './browser.ts';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Shape {
  type: string;
  label: string;
  source?: string;
}

/** The shapes of the item open in the workspace (read from its canvas). */
const shapes = (page: Page) =>
  page.evaluate(() => {
    const ws = document.querySelector('label-workspace') as HTMLElement;
    const canvas = ws.shadowRoot?.querySelector('label-canvas') as unknown as { document?: { shapes: Shape[] } };
    return canvas.document?.shapes ?? [];
  });

/** Page coordinates of an image pixel of the open item. */
const atImage = (page: Page, x: number, y: number) =>
  page.evaluate(
    ([x, y]) => {
      const ws = document.querySelector('label-workspace') as HTMLElement;
      const c = ws.shadowRoot?.querySelector('label-canvas') as unknown as HTMLElement & {
        toScreen(x: number, y: number): { x: number; y: number };
      };
      const r = c.getBoundingClientRect();
      const p = c.toScreen(x as number, y as number);
      return { x: r.left + p.x, y: r.top + p.y };
    },
    [x, y],
  );

const saveState = (page: Page) => page.locator('label-workspace [part="save-state"]');
/** Keyboard focus in the workspace's canvas (where its item keys are heard). */
const focus = (page: Page) => page.locator('label-workspace label-canvas').focus();
const ready = async (page: Page, item: string) => {
  await page.locator('label-workspace [part="strip"] [aria-current="true"]', { hasText: item }).waitFor();
  await page.waitForFunction(() => {
    const ws = document.querySelector('label-workspace') as HTMLElement;
    const c = ws?.shadowRoot?.querySelector('label-canvas') as unknown as { imageSize?: unknown; document?: unknown };
    return Boolean(c?.imageSize && c.document);
  });
};

/** Polls the server until the item holds `n` shapes (autosave is debounced), failing after `ms`. */
async function serverShapes(server: RunningServer, item: string, n: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  let got = -1;
  while (Date.now() < end) {
    const r = await api<{ document: { shapes: unknown[] } | null }>(server, `/v1/datasets/demo/items/${item}`);
    got = r.document?.shapes.length ?? 0;
    if (got === n) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${item}: ${got} shapes on the server, expected ${n}`);
}

async function api<T>(server: RunningServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as T;
}

for (const store of ['fs', 's3'] as const) {
  describe(`demo end to end (history on ${store})`, () => {
    let server: RunningServer;
    let s3: RunningS3rver | undefined;
    let browser: Browser;
    before(async () => {
      const storages: Record<string, unknown> = {
        'demo-images': { driver: 'fs', root: join(root, 'examples/datasets/demo'), readOnly: true },
      };
      if (store === 's3') {
        s3 = await startS3rver();
        const { bucket, endpoint, region, forcePathStyle, credentials } = s3.options;
        storages.data = { driver: 's3', bucket, endpoint, region, forcePathStyle, credentials };
      }
      const demo = loadConfig({ cwd: root, env: {}, file: 'examples/labelkit.config.json' });
      assert.ok(demo.ok);
      const config = loadConfig({
        cwd: root,
        env: {},
        config: { storages, datasets: demo.value.datasets, auth: { anonymous: { '*': 'admin' } } },
      });
      assert.ok(config.ok, config.ok ? '' : config.error.message);
      server = await startServer({
        ...config.value,
        port: 0,
        site: join(root, 'examples'),
        dataDir: mkdtempSync(join(tmpdir(), 'labelkit-demo-e2e-')),
        logger: silentLogger,
      });
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await s3?.close();
    });

    it('box + SAM click, autosave, next item, reload, history, export COCO', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const { page, problems } = await openPage(context, `${server.url}/`);
      await ready(page, 'scene-01.jpg');
      // A box around the red car, with the mouse.
      await page.locator('label-workspace label-toolbar button[data-tool="box"]').click();
      const a = await atImage(page, 190, 380);
      const b = await atImage(page, 352, 468);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
      await page.mouse.move(b.x, b.y, { steps: 4 });
      await page.mouse.up();
      // A SAM click on the left tree's crown, accepted with Enter.
      await page.locator('label-workspace label-toolbar button[data-tool="sam"]').click();
      await page.locator('label-workspace label-toolbar button[data-label="tree"]').click();
      // The built-in model is ready once the canvas no longer says it is preparing it.
      await page.waitForFunction(
        () => {
          const ws = document.querySelector('label-workspace') as HTMLElement;
          const c = ws.shadowRoot?.querySelector('label-canvas') as HTMLElement;
          return !/Preparing/.test(c.shadowRoot?.querySelector('[part=message]')?.textContent ?? '');
        },
        undefined,
        { timeout: 60_000 },
      );
      const t = await atImage(page, 300, 200);
      await page.mouse.click(t.x, t.y);
      // The model prepares the image (server embedding, decoder in the worker), then shows a candidate to accept.
      await page
        .locator('label-workspace label-canvas [aria-label="Accept segmentation"]')
        .waitFor({ timeout: 60_000 });
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => {
          const ws = document.querySelector('label-workspace') as HTMLElement;
          const c = ws.shadowRoot?.querySelector('label-canvas') as unknown as { document?: { shapes: unknown[] } };
          return (c.document?.shapes.length ?? 0) === 2;
        },
        undefined,
        { timeout: 30_000 },
      );
      const drawn = await shapes(page);
      assert.ok(drawn.some((s) => s.type === 'box'));
      assert.ok(
        drawn.some((s) => s.type === 'mask' || s.type === 'polygon'),
        'the SAM candidate was committed',
      );
      await serverShapes(server, 'scene-01.jpg', 2);
      // Next item with the keyboard, then reload and come back: both shapes are there.
      await focus(page);
      await page.keyboard.press(']');
      await ready(page, 'scene-02.jpg');
      await page.reload();
      await ready(page, 'scene-01.jpg');
      assert.equal((await shapes(page)).length, 2);
      // The commit is in the history (and on the server).
      await page.locator('label-workspace button', { hasText: 'History' }).click();
      await page.locator('label-workspace [part="history"] ol li').first().waitFor();
      const log = await api<{ commits: { hash: string; message: string }[] }>(server, '/v1/datasets/demo/commits');
      assert.ok(log.commits.length >= 1);
      const listed = await page.locator('label-workspace [part="history"] ol li').count();
      assert.equal(listed, log.commits.length);
      // Export COCO through the menu: a zip with both annotations of scene-01 and the fidelity report.
      const download = page.waitForEvent('download');
      await page.locator('label-workspace [part="export"] button').click();
      const file = await (await download).path();
      const { readFileSync } = await import('node:fs');
      const zip = unzipSync(readFileSync(file));
      const coco = JSON.parse(new TextDecoder().decode(zip['annotations/instances_default.json']));
      const image = coco.images.find((i: { file_name: string }) => i.file_name.endsWith('scene-01.jpg'));
      assert.ok(image, 'scene-01 is in the export');
      assert.equal(coco.annotations.filter((x: { image_id: number }) => x.image_id === image.id).length, 2);
      assert.ok(zip['fidelity.json']);
      assert.deepEqual(problems.errors, []);
      await context.close();
    });

    // The pages do not depend on where the history is kept: checked once, on the fs run.
    if (store === 'fs')
      it('the demo page and the new-dataset page pass axe-core (names, roles, labels) with no console error', async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        for (const path of ['/', '/new.html']) {
          const { page, problems } = await openPage(context, `${server.url}${path}`);
          if (path === '/') await ready(page, 'scene-01.jpg');
          await page.addScriptTag({ path: axePath });
          const result = await page.evaluate(async () => {
            const axe = (
              window as unknown as {
                axe: {
                  run(o: unknown): Promise<{
                    violations: { id: string; nodes: unknown[] }[];
                    passes: { id: string; nodes: unknown[] }[];
                  }>;
                };
              }
            ).axe;
            const r = await axe.run({
              runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
              rules: { 'color-contrast': { enabled: false } },
            });
            return {
              violations: r.violations.map((v) => `${v.id} (${v.nodes.length})`),
              checked: r.passes.reduce((n, p) => n + p.nodes.length, 0),
            };
          });
          assert.deepEqual(result.violations, [], path);
          assert.ok(result.checked > 20, `axe inspected the page (${result.checked} nodes)`);
          assert.deepEqual(problems.errors, [], path);
          await page.close();
        }
        await context.close();
      });

    it('new dataset page: uploaded images become a dataset that opens in the workspace', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const { page, problems } = await openPage(context, `${server.url}/new.html`);
      const id = `upload-${store}`;
      await page.getByLabel(/^Id/).fill(id);
      await page.getByLabel(/^Labels/).fill('car, tree');
      // What a drop gives the page: files through the (hidden) file input.
      await page
        .locator('#files')
        .setInputFiles([
          join(root, 'examples/datasets/demo/scene-04.jpg'),
          join(root, 'examples/datasets/demo/scene-05.jpg'),
        ]);
      await page.getByRole('button', { name: 'Create the dataset' }).click();
      await page.waitForURL(`**/?dataset=${id}`);
      await ready(page, 'scene-04.jpg');
      const items = await api<{ items: { id: string }[] }>(server, `/v1/datasets/${id}/items`);
      assert.deepEqual(items.items.map((i) => i.id).sort(), ['scene-04.jpg', 'scene-05.jpg']);
      const labels = await api<{ labels: { id: string }[] }>(server, `/v1/datasets/${id}`);
      assert.deepEqual(
        labels.labels.map((l) => l.id),
        ['car', 'tree'],
      );
      assert.deepEqual(problems.errors, []);
      await context.close();
    });

    it('a network cut and a closed tab mid-edit lose nothing', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      let { page } = await openPage(context, `${server.url}/`);
      await ready(page, 'scene-01.jpg');
      await focus(page);
      await page.keyboard.press(']');
      await ready(page, 'scene-02.jpg');
      await page.keyboard.press(']');
      await ready(page, 'scene-03.jpg');
      await context.setOffline(true);
      await page.locator('label-workspace label-toolbar button[data-tool="box"]').click();
      await dragIn(page, 'label-workspace label-canvas', [0.2, 0.5], [0.4, 0.7]);
      // The edit is staged in IndexedDB (what a closed tab keeps) before the tab goes.
      await page.waitForFunction(
        async () => {
          const ws = document.querySelector('label-workspace') as unknown as {
            outbox?: { entries(): Promise<{ itemId: string }[]> };
          };
          return ((await ws.outbox?.entries()) ?? []).some((e) => e.itemId === 'scene-03.jpg');
        },
        undefined,
        { timeout: 20_000 },
      );
      assert.match((await saveState(page).getAttribute('data-state')) ?? '', /offline|pending|saving|error/);
      await page.close(); // the tab closes while offline: the edit is only in IndexedDB
      const before = await api<{ document: { shapes: unknown[] } | null }>(
        server,
        '/v1/datasets/demo/items/scene-03.jpg',
      );
      assert.equal(before.document?.shapes.length ?? 0, 0, 'nothing reached the server while offline');
      await context.setOffline(false);
      ({ page } = await openPage(context, `${server.url}/`));
      await ready(page, 'scene-01.jpg');
      // The staged box is sent when the page comes back.
      await serverShapes(server, 'scene-03.jpg', 1);
      await context.close();
    });

    it('two users editing two items at once: both commits kept', async () => {
      const [c1, c2] = [await browser.newContext(), await browser.newContext()];
      const [{ page: p1 }, { page: p2 }] = [await openPage(c1, `${server.url}/`), await openPage(c2, `${server.url}/`)];
      await ready(p1, 'scene-01.jpg');
      await ready(p2, 'scene-01.jpg');
      const next = async (p: Page, n: number) => {
        await focus(p);
        for (let i = 2; i <= n; i++) {
          await p.keyboard.press(']');
          await ready(p, `scene-0${i}.jpg`);
        }
      };
      await Promise.all([next(p1, 5), next(p2, 6)]);
      await ready(p1, 'scene-05.jpg');
      await ready(p2, 'scene-06.jpg');
      for (const p of [p1, p2]) await p.locator('label-workspace label-toolbar button[data-tool="box"]').click();
      // p2 starts its box at the canvas centre, under the "Preparing the model..." status: it must still draw.
      await Promise.all([
        dragIn(p1, 'label-workspace label-canvas', [0.3, 0.3], [0.5, 0.5]),
        dragIn(p2, 'label-workspace label-canvas', [0.5, 0.5], [0.7, 0.7]),
      ]);
      await Promise.all([serverShapes(server, 'scene-05.jpg', 1), serverShapes(server, 'scene-06.jpg', 1)]);
      const log = await api<{ commits: { author: string }[] }>(server, '/v1/datasets/demo/commits');
      assert.ok(log.commits.length >= 2, 'one commit per user at least');
      await c1.close();
      await c2.close();
    });
  });
}
