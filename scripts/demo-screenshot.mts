import { spawn } from 'node:child_process';
// Takes docs/demo.png (the README's picture): the demo with two boxes, two SAM trees and a SAM candidate.
// Run: node --conditions=labelkit-source --import tsx scripts/demo-screenshot.mts
import { launch, openPage } from '../test/e2e/browser.ts';

const srv = spawn(
  process.execPath,
  [
    '--conditions=labelkit-source',
    '--import',
    'tsx',
    'packages/server/src/cli.ts',
    'serve',
    '--site',
    'examples',
    '--config',
    'examples/labelkit.config.json',
    '--port',
    '8899',
    '--data',
    `/tmp/demo-shot-${Date.now()}`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((r) => srv.stdout.on('data', (d) => String(d).includes('serving') && r(null)));
const b = await launch();
const ctx = await b.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
const { page } = await openPage(ctx, 'http://127.0.0.1:8899/');
const atImage = (x: number, y: number) =>
  page.evaluate(
    ([x, y]) => {
      const ws = document.querySelector('label-workspace') as any;
      const c = ws.shadowRoot.querySelector('label-canvas');
      const r = c.getBoundingClientRect();
      const p = c.toScreen(x, y);
      return { x: r.left + p.x, y: r.top + p.y };
    },
    [x, y],
  );
await page.waitForFunction(
  () => {
    const ws = document.querySelector('label-workspace') as any;
    const c = ws?.shadowRoot?.querySelector('label-canvas');
    return c?.imageSize && !/Preparing/.test(c.shadowRoot?.querySelector('[part=message]')?.textContent ?? '');
  },
  undefined,
  { timeout: 60000 },
);
const tb = (sel: string) => page.locator(`label-workspace label-toolbar button${sel}`).click();
await tb('[data-tool="box"]');
await tb('[data-label="car"]');
for (const [x0, y0, x1, y1] of [
  [190, 378, 352, 470],
  [310, 364, 432, 434],
]) {
  const a = await atImage(x0, y0);
  const c = await atImage(x1, y1);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(c.x, c.y, { steps: 6 });
  await page.mouse.up();
}
await tb('[data-tool="sam"]');
await tb('[data-label="tree"]');
for (const [x, y] of [
  [300, 200],
  [512, 185],
]) {
  const t = await atImage(x, y);
  await page.mouse.click(t.x, t.y);
  await page.locator('label-workspace label-canvas [aria-label="Accept segmentation"]').waitFor({ timeout: 60000 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}
await tb('[data-label="house"]');
{
  const t = await atImage(95, 240);
  await page.mouse.click(t.x, t.y);
  await page.locator('label-workspace label-canvas [aria-label="Accept segmentation"]').waitFor({ timeout: 60000 });
  await page.waitForTimeout(300);
}
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/demo.png' });
await b.close();
srv.kill();
