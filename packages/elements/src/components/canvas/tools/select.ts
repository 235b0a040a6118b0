import type { Shape } from '@labelkit/core';
import { type Handle, handlesOf, pickHandle, resizeBox, rotateBox } from '../handles.ts';
import { shapeBounds, translateShape } from '../shape-geometry.ts';
import type { Tool, ToolHost, ToolPointer } from './types.ts';

type Gesture =
  | { kind: 'move'; from: ToolPointer; moved: boolean }
  | { kind: 'band'; from: ToolPointer; to: ToolPointer; additive: boolean }
  | { kind: 'handle'; handle: Handle; shape: Shape };

/**
 * `select`: click picks the topmost shape, shift-click toggles, dragging on empty space draws a rubber band;
 * dragging a selected shape moves the selection; a selected box has resize and rotation handles; a selected
 * polygon or polyline has vertex handles (drag; alt-click deletes) and edge midpoints (drag to insert a vertex).
 */
export function selectTool(host: ToolHost): Tool {
  let gesture: Gesture | undefined;
  let drafts: Map<string, Shape> | undefined;

  const single = (): Shape | undefined => {
    const sel = host.selection();
    if (sel.size !== 1) return undefined;
    const [id] = sel;
    return id === undefined ? undefined : host.getShape(id);
  };

  const commitDrafts = () => {
    if (!drafts) return;
    const updated: [Shape, Shape][] = [];
    for (const [id, after] of drafts) {
      const before = host.getShape(id);
      if (before && before !== after) updated.push([before, after]);
    }
    drafts = undefined;
    if (updated.length) host.commit({ added: [], updated, removed: [] });
  };

  const editHandle = (s: Shape, h: Handle, p: ToolPointer): Shape => {
    if (s.type === 'box' && h.kind === 'resize') return resizeBox(s, h.hx, h.hy, p.x, p.y);
    if (s.type === 'box' && h.kind === 'rotate') return rotateBox(s, p.x, p.y);
    if ((s.type === 'polygon' || s.type === 'polyline') && h.kind === 'vertex') {
      const points = [...s.points];
      points[2 * h.index] = p.x;
      points[2 * h.index + 1] = p.y;
      return { ...s, points };
    }
    return s;
  };

  return {
    name: 'select',
    cursor: 'default',
    down(p) {
      const one = single();
      if (one && !host.readonly) {
        const h = pickHandle(handlesOf(one, host.scale), p.x, p.y, host.scale);
        if (h?.kind === 'vertex' && p.alt && (one.type === 'polygon' || one.type === 'polyline')) {
          const min = one.type === 'polygon' ? 3 : 2;
          if (one.points.length / 2 > min) {
            const points = one.points.filter((_, i) => i >> 1 !== h.index);
            host.commit({ added: [], updated: [[one, { ...one, points }]], removed: [] });
          }
          return;
        }
        if (h?.kind === 'midpoint' && (one.type === 'polygon' || one.type === 'polyline')) {
          const points = [...one.points];
          points.splice(2 * h.index, 0, h.x, h.y);
          const shape = { ...one, points };
          gesture = { kind: 'handle', handle: { kind: 'vertex', index: h.index, x: h.x, y: h.y }, shape };
          drafts = new Map([[one.id, shape]]);
          host.redraw();
          return;
        }
        if (h) {
          gesture = { kind: 'handle', handle: h, shape: one };
          return;
        }
      }
      const hit = host.hitTest(p.x, p.y);
      if (!hit) {
        gesture = { kind: 'band', from: p, to: p, additive: p.shift };
        if (!p.shift) host.setSelection([]);
        return;
      }
      const sel = new Set(host.selection());
      if (p.shift) {
        if (sel.has(hit.id)) sel.delete(hit.id);
        else sel.add(hit.id);
        host.setSelection(sel);
      } else if (!sel.has(hit.id)) host.setSelection([hit.id]);
      if (!host.readonly && host.selection().has(hit.id)) gesture = { kind: 'move', from: p, moved: false };
    },
    move(p) {
      if (!gesture) return;
      if (gesture.kind === 'band') {
        gesture.to = p;
      } else if (gesture.kind === 'move') {
        const dx = p.x - gesture.from.x;
        const dy = p.y - gesture.from.y;
        if (!gesture.moved && Math.hypot(p.sx - gesture.from.sx, p.sy - gesture.from.sy) < 2) return;
        gesture.moved = true;
        drafts = new Map();
        for (const id of host.selection()) {
          const s = host.getShape(id);
          if (s) drafts.set(id, translateShape(s, dx, dy));
        }
      } else {
        drafts = new Map([[gesture.shape.id, editHandle(gesture.shape, gesture.handle, p)]]);
      }
      host.redraw();
    },
    up(p) {
      const g = gesture;
      gesture = undefined;
      if (g?.kind === 'band') {
        const b = {
          minX: Math.min(g.from.x, p.x),
          minY: Math.min(g.from.y, p.y),
          maxX: Math.max(g.from.x, p.x),
          maxY: Math.max(g.from.y, p.y),
        };
        if (b.maxX - b.minX > 0 || b.maxY - b.minY > 0) {
          const inside = host
            .shapesIn(b)
            .filter((s) => {
              const sb = shapeBounds(s);
              return sb.minX >= b.minX && sb.minY >= b.minY && sb.maxX <= b.maxX && sb.maxY <= b.maxY;
            })
            .map((s) => s.id);
          host.setSelection(g.additive ? [...host.selection(), ...inside] : inside);
        }
        host.redraw();
        return;
      }
      commitDrafts();
      host.redraw();
    },
    drafts: () => drafts,
    paint(g, scale) {
      if (gesture?.kind !== 'band') return;
      const { from, to } = gesture;
      g.fillStyle = 'rgba(26,115,232,0.12)';
      g.strokeStyle = '#1a73e8';
      g.lineWidth = 1 / scale;
      g.fillRect(from.x, from.y, to.x - from.x, to.y - from.y);
      g.strokeRect(from.x, from.y, to.x - from.x, to.y - from.y);
    },
    cancel() {
      gesture = undefined;
      drafts = undefined;
      host.redraw();
    },
  };
}
