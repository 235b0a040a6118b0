import type { Shape } from '@labelkit/core';
import type { LabelCanvas } from './canvas.component.ts';
import { actionFor } from './keyboard.ts';
import { translateShape } from './shape-geometry.ts';
import type { ToolName, ToolPointer } from './tools/types.ts';
import type { Viewport } from './viewport.ts';

/** Wheel zoom speed: scale factor per wheel pixel (trackpad pinches arrive as ctrl+wheel with small deltas). */
const WHEEL_ZOOM = 0.0015;
const PINCH_ZOOM = 0.01;
const KEY_ZOOM = 1.25;

/**
 * Turns pointer, wheel and key events into tool calls, view changes and actions. Pans with the middle button,
 * space+drag or the pan tool; zooms around the cursor with the wheel, two-finger pinch and the zoom keys. Arrow
 * keys nudge the selection with the select tool, and otherwise move a keyboard cursor (a crosshair) at which
 * Enter or Space acts like a click, so that every tool can be used without a pointer.
 */
export class CanvasInput {
  #pointers = new Map<number, { x: number; y: number }>();
  #panning: { x: number; y: number } | undefined;
  #pinch: { distance: number } | undefined;
  #spaceHeld = false;
  #toolActive = false;
  /** The current tool gesture is made with the right button. */
  #secondary = false;
  #cursor: { x: number; y: number } | undefined;
  #cursorShown = false;
  #listeners: [EventTarget, string, EventListener][] = [];

  constructor(
    readonly el: LabelCanvas,
    readonly surface: HTMLElement,
    readonly viewport: Viewport,
  ) {
    this.#on(surface, 'pointerdown', (e) => this.#down(e as PointerEvent));
    this.#on(surface, 'pointermove', (e) => this.#move(e as PointerEvent));
    this.#on(surface, 'pointerup', (e) => this.#up(e as PointerEvent));
    this.#on(surface, 'pointercancel', (e) => this.#up(e as PointerEvent, true));
    this.#on(surface, 'wheel', (e) => this.#wheel(e as WheelEvent));
    this.#on(surface, 'contextmenu', (e) => e.preventDefault());
    this.#on(el, 'keydown', (e) => this.#keydown(e as KeyboardEvent));
    this.#on(el, 'keyup', (e) => this.#keyup(e as KeyboardEvent));
    this.#on(el, 'blur', () => {
      this.#spaceHeld = false;
      this.#cursorShown = false;
      this.el.redraw();
    });
    surface.style.touchAction = 'none';
  }

  detach(): void {
    for (const [t, type, fn] of this.#listeners) t.removeEventListener(type, fn);
    this.#listeners = [];
  }

  setCursor(css: string): void {
    this.surface.style.cursor = css;
  }

  /** Draws the keyboard cursor while it is in use. */
  paintCursor(g: CanvasRenderingContext2D, scale: number): void {
    if (!this.#cursorShown || !this.#cursor) return;
    const { x, y } = this.#cursor;
    const r = 10 / scale;
    g.lineWidth = 3 / scale;
    g.strokeStyle = '#000';
    this.#cross(g, x, y, r);
    g.lineWidth = 1.5 / scale;
    g.strokeStyle = '#fff';
    this.#cross(g, x, y, r);
  }

  #cross(g: CanvasRenderingContext2D, x: number, y: number, r: number): void {
    g.beginPath();
    g.moveTo(x - r, y);
    g.lineTo(x + r, y);
    g.moveTo(x, y - r);
    g.lineTo(x, y + r);
    g.stroke();
  }

  #on(t: EventTarget, type: string, fn: EventListener): void {
    t.addEventListener(type, fn, type === 'wheel' ? { passive: false } : undefined);
    this.#listeners.push([t, type, fn]);
  }

  #local(e: MouseEvent): { x: number; y: number } {
    const r = this.surface.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  #pointer(
    sx: number,
    sy: number,
    e: { shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean },
  ): ToolPointer {
    const p = this.viewport.toImage(sx, sy);
    return {
      x: p.x,
      y: p.y,
      sx,
      sy,
      shift: e.shiftKey,
      alt: e.altKey,
      mod: e.ctrlKey || e.metaKey,
      secondary: this.#secondary,
    };
  }

  #down(e: PointerEvent): void {
    this.el.focus({ preventScroll: true });
    const at = this.#local(e);
    this.#pointers.set(e.pointerId, at);
    try {
      this.surface.setPointerCapture(e.pointerId);
    } catch {
      // Capture fails for a pointer that is already gone (or a synthetic one); the gesture still works inside.
    }
    if (this.#cursorShown) {
      this.#cursorShown = false;
      this.el.redraw();
    }
    if (this.#pointers.size === 2) {
      // A second finger turns the gesture into a pinch: the tool's gesture is dropped.
      if (this.#toolActive) this.el.activeTool?.cancel();
      this.#toolActive = false;
      this.#panning = undefined;
      this.#pinch = { distance: this.#pinchDistance() };
      return;
    }
    if (e.button === 1 || (e.button === 0 && this.#spaceHeld)) {
      e.preventDefault();
      this.#panning = at;
      this.setCursor('grabbing');
      return;
    }
    const secondary = e.button === 2 && this.el.activeTool?.secondaryButton === true;
    if (e.button !== 0 && !secondary) return;
    this.#secondary = secondary;
    this.#toolActive = true;
    this.el.activeTool?.down(this.#pointer(at.x, at.y, e));
  }

  #move(e: PointerEvent): void {
    const at = this.#local(e);
    if (this.#pointers.has(e.pointerId)) this.#pointers.set(e.pointerId, at);
    if (this.#pinch && this.#pointers.size >= 2) {
      const d = this.#pinchDistance();
      const [a, b] = [...this.#pointers.values()] as [{ x: number; y: number }, { x: number; y: number }];
      this.el.zoomTo(this.viewport.scale * (d / (this.#pinch.distance || d)), {
        x: (a.x + b.x) / 2,
        y: (a.y + b.y) / 2,
      });
      this.#pinch.distance = d;
      return;
    }
    if (this.#panning) {
      this.el.panBy(at.x - this.#panning.x, at.y - this.#panning.y);
      this.#panning = at;
      return;
    }
    this.el.activeTool?.move(this.#pointer(at.x, at.y, e));
  }

  #up(e: PointerEvent, cancelled = false): void {
    this.#pointers.delete(e.pointerId);
    if (this.#pinch) {
      if (this.#pointers.size < 2) this.#pinch = undefined;
      return;
    }
    if (this.#panning) {
      this.#panning = undefined;
      this.setCursor(this.#spaceHeld ? 'grab' : (this.el.activeTool?.cursor ?? 'default'));
      return;
    }
    if (!this.#toolActive) return;
    this.#toolActive = false;
    const at = this.#local(e);
    if (cancelled) this.el.activeTool?.cancel();
    else this.el.activeTool?.up(this.#pointer(at.x, at.y, e));
  }

  #pinchDistance(): number {
    const [a, b] = [...this.#pointers.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }

  #wheel(e: WheelEvent): void {
    e.preventDefault();
    const at = this.#local(e);
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    this.el.zoomTo(this.viewport.scale * Math.exp(-dy * (e.ctrlKey ? PINCH_ZOOM : WHEEL_ZOOM)), at);
  }

  /** Acts at the keyboard cursor as a click there would. */
  #place(e: KeyboardEvent): void {
    const tool = this.el.activeTool;
    const c = this.#cursor;
    if (!tool || !c) return;
    const s = this.viewport.toScreen(c.x, c.y);
    const p = this.#pointer(s.x, s.y, e);
    tool.down(p);
    tool.up(p);
  }

  #moveCursor(dx: number, dy: number, e: KeyboardEvent): void {
    const stage = this.viewport.stage;
    if (!this.#cursor) this.#cursor = this.viewport.toImage(stage.width() / 2, stage.height() / 2);
    const step = (e.shiftKey ? 1 : 10) / this.viewport.scale;
    this.#cursor = { x: this.#cursor.x + dx * step, y: this.#cursor.y + dy * step };
    this.#cursorShown = true;
    const s = this.viewport.toScreen(this.#cursor.x, this.#cursor.y);
    this.el.activeTool?.move(this.#pointer(s.x, s.y, e));
    this.el.redraw();
  }

  #nudge(dx: number, dy: number, step: number): void {
    const updated: [Shape, Shape][] = [];
    for (const id of this.el.selection()) {
      const s = this.el.getShape(id);
      if (s) updated.push([s, translateShape(s, dx * step, dy * step)]);
    }
    this.el.commit({ added: [], updated, removed: [] });
  }

  #keydown(e: KeyboardEvent): void {
    const el = this.el;
    const tool = el.activeTool;
    if (e.key === ' ' && !e.repeat) {
      e.preventDefault();
      if (this.#cursorShown) this.#place(e);
      else {
        this.#spaceHeld = true;
        this.setCursor('grab');
      }
      return;
    }
    if (tool?.key?.(e)) {
      e.preventDefault();
      return;
    }
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const arrow = arrows[e.key];
    if (arrow && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      if (el.tool === 'select' && el.selection().size && !el.readonly && !this.#cursorShown)
        this.#nudge(arrow[0], arrow[1], e.shiftKey ? 10 : 1);
      else this.#moveCursor(arrow[0], arrow[1], e);
      return;
    }
    if (e.key === 'Enter' && this.#cursorShown) {
      e.preventDefault();
      this.#place(e);
      return;
    }
    if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const label = el.labels[Number(e.key) - 1];
      if (!label) return;
      e.preventDefault();
      el.setActiveLabel(label.id);
      return;
    }
    const action = actionFor(e, el.effectiveShortcuts);
    if (!action) return;
    e.preventDefault();
    if (action.startsWith('tool:')) {
      el.setTool(action.slice(5) as ToolName);
      return;
    }
    const centre = { x: this.viewport.stage.width() / 2, y: this.viewport.stage.height() / 2 };
    switch (action) {
      case 'undo':
        el.undo();
        return;
      case 'redo':
        el.redo();
        return;
      case 'delete':
        el.deleteSelected();
        return;
      case 'copy':
        el.copy();
        return;
      case 'paste':
        el.paste();
        return;
      case 'duplicate':
        el.duplicate();
        return;
      case 'selectAll':
        el.select(el.document?.shapes.map((s) => s.id) ?? []);
        return;
      case 'deselect':
        this.#cursorShown = false;
        el.activeTool?.cancel();
        el.select([]);
        return;
      case 'zoomIn':
        el.zoomTo(this.viewport.scale * KEY_ZOOM, centre);
        return;
      case 'zoomOut':
        el.zoomTo(this.viewport.scale / KEY_ZOOM, centre);
        return;
      case 'fit':
        el.fit();
        return;
      case 'brushBigger':
        el.brushSize = Math.min(500, Math.round(el.brushSize * 1.25) + 1);
        return;
      case 'brushSmaller':
        el.brushSize = Math.max(1, Math.round(el.brushSize / 1.25));
        return;
    }
  }

  #keyup(e: KeyboardEvent): void {
    if (e.key === ' ') {
      this.#spaceHeld = false;
      if (!this.#panning) this.setCursor(this.el.activeTool?.cursor ?? 'default');
    }
  }
}
