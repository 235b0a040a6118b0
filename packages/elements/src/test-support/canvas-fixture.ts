// Helpers shared by the elements' browser tests (not shipped: only imported by *.browser.test.ts).
import { sendMouse } from '@web/test-runner-commands';
import type { LabelCanvas } from '../components/canvas/canvas.component.ts';
import '../index.ts';

/** A solid PNG as a data URL. */
export function pngDataUrl(width: number, height: number, color = '#808080'): string {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d')!;
  g.fillStyle = color;
  g.fillRect(0, 0, width, height);
  return c.toDataURL('image/png');
}

/**
 * Mounts a canvas at the page's top-left with an image of the element's own size, so that image pixel (x, y)
 * is at page pixel (x, y) once loaded (scale 1, no offset).
 */
export async function mountCanvas(
  props: Partial<Pick<LabelCanvas, 'tool' | 'labels' | 'readonly' | 'document'>> = {},
  size = { width: 400, height: 300 },
  id = '',
): Promise<LabelCanvas> {
  document.body.style.margin = '0';
  const el = document.createElement('label-canvas');
  if (id) el.id = id;
  el.style.cssText = `position:absolute;left:0;top:0;width:${size.width}px;height:${size.height}px`;
  Object.assign(el, props);
  document.body.append(el);
  const loaded = new Promise((r) => el.addEventListener('label-load', r, { once: true }));
  el.src = pngDataUrl(size.width, size.height);
  await loaded;
  await el.updateComplete;
  return el;
}

export function unmountAll(): void {
  for (const e of document.querySelectorAll('label-canvas')) e.remove();
}

const pos = (p: [number, number]): [number, number] => [Math.round(p[0]), Math.round(p[1])];

/** A real mouse drag through intermediate points. */
export async function drag(
  from: [number, number],
  to: [number, number],
  steps = 4,
  button: 'left' | 'middle' = 'left',
): Promise<void> {
  await sendMouse({ type: 'move', position: pos(from) });
  await sendMouse({ type: 'down', button });
  for (let i = 1; i <= steps; i++) {
    await sendMouse({
      type: 'move',
      position: pos([from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps]),
    });
  }
  await sendMouse({ type: 'up', button });
}

export async function click(at: [number, number], button: 'left' | 'right' = 'left'): Promise<void> {
  await sendMouse({ type: 'click', position: pos(at), button });
}

/** Resolves with the detail of the next event of that name. */
export function next<T>(el: EventTarget, name: string): Promise<T> {
  return new Promise((r) => el.addEventListener(name, (e) => r((e as CustomEvent<T>).detail), { once: true }));
}

/** RGBA of the composited canvas at element pixel (x, y). */
export function pixel(el: LabelCanvas, x: number, y: number): [number, number, number, number] {
  const c = el.snapshot();
  if (!c) throw new Error('canvas not ready');
  const d = c.getContext('2d')!.getImageData(x, y, 1, 1).data;
  return [d[0]!, d[1]!, d[2]!, d[3]!];
}

/** Waits for Konva's batched draw (one animation frame) to land. */
export const frame = (): Promise<void> =>
  new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

/** Presses `key` with modifier keys held (sendKeys' `press` takes single keys only). */
export async function chord(modifiers: string[], key: string): Promise<void> {
  const { sendKeys } = await import('@web/test-runner-commands');
  for (const m of modifiers) await sendKeys({ down: m });
  await sendKeys({ press: key });
  for (const m of [...modifiers].reverse()) await sendKeys({ up: m });
}
