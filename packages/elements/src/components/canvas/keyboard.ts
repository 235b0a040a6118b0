/**
 * Keyboard shortcuts of `<label-canvas>`. A binding is a `key` value (as KeyboardEvent.key gives it, so it
 * follows the user's layout: `z` is wherever the layout puts z) with optional `mod+` (Ctrl, or Cmd on macOS),
 * `shift+` and `alt+` prefixes. Letters match either case; for other printable keys the shift state is ignored
 * (`+` needs shift on some layouts and not on others).
 */
export const CanvasAction = {
  Undo: 'undo',
  Redo: 'redo',
  Delete: 'delete',
  Copy: 'copy',
  Paste: 'paste',
  Duplicate: 'duplicate',
  SelectAll: 'selectAll',
  Deselect: 'deselect',
  ZoomIn: 'zoomIn',
  ZoomOut: 'zoomOut',
  Fit: 'fit',
  BrushBigger: 'brushBigger',
  BrushSmaller: 'brushSmaller',
  ToolSelect: 'tool:select',
  ToolPan: 'tool:pan',
  ToolBox: 'tool:box',
  ToolPolygon: 'tool:polygon',
  ToolPolyline: 'tool:polyline',
  ToolPoint: 'tool:point',
  ToolBrush: 'tool:brush',
  ToolEraser: 'tool:eraser',
  ToolSam: 'tool:sam',
  ToolExtreme: 'tool:extreme',
} as const;
export type CanvasAction = (typeof CanvasAction)[keyof typeof CanvasAction];

/** Action -> bindings. Set `shortcuts` on the element to a partial map to change some; `[]` turns one off. */
export type Shortcuts = Record<CanvasAction, string[]>;

export const DEFAULT_SHORTCUTS: Shortcuts = {
  undo: ['mod+z'],
  redo: ['mod+shift+z', 'mod+y'],
  delete: ['Delete', 'Backspace'],
  copy: ['mod+c'],
  paste: ['mod+v'],
  duplicate: ['mod+d'],
  selectAll: ['mod+a'],
  deselect: ['Escape'],
  zoomIn: ['+', '='],
  zoomOut: ['-'],
  fit: ['f'],
  brushBigger: [']'],
  brushSmaller: ['['],
  'tool:select': ['v'],
  'tool:pan': ['h'],
  'tool:box': ['b'],
  'tool:polygon': ['p'],
  'tool:polyline': ['l'],
  'tool:point': ['k'],
  'tool:brush': ['r'],
  'tool:eraser': ['e'],
  'tool:sam': ['s'],
  'tool:extreme': ['x'],
};

interface Binding {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

function parse(binding: string): Binding {
  const parts = binding.split('+');
  // "+" itself, or "mod++": the empty part after splitting is the plus key.
  let key = parts.pop() ?? '';
  if (key === '' && binding.endsWith('+')) {
    parts.pop();
    key = '+';
  }
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return { key, mod: mods.has('mod'), shift: mods.has('shift'), alt: mods.has('alt') };
}

function matches(b: Binding, e: KeyboardEvent): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (b.mod !== mod || b.alt !== e.altKey) return false;
  const letter = /^[a-z]$/i.test(b.key);
  if (letter || b.key.length > 1) {
    if (b.shift !== e.shiftKey) return false;
    return letter ? e.key.toLowerCase() === b.key.toLowerCase() : e.key === b.key;
  }
  return e.key === b.key;
}

/** Resolves a key event to an action; `null` when none is bound to it. */
export function actionFor(e: KeyboardEvent, shortcuts: Shortcuts): CanvasAction | null {
  for (const [action, bindings] of Object.entries(shortcuts) as [CanvasAction, string[]][])
    for (const b of bindings) if (matches(parse(b), e)) return action;
  return null;
}
