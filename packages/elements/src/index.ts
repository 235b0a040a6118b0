// Importing the package defines its elements (side effect, declared in package.json "sideEffects").
import './components/canvas/define.ts';
import './components/toolbar/define.ts';
import './components/list/define.ts';
import './components/workspace/define.ts';

export { LabelCanvas } from './components/canvas/canvas.component.ts';
export type {
  LabelChangeDetail,
  LabelErrorDetail,
  LabelLoadDetail,
  LabelSelectDetail,
  LabelToolChangeDetail,
} from './components/canvas/events.ts';
export { CanvasAction, DEFAULT_SHORTCUTS, type Shortcuts } from './components/canvas/keyboard.ts';
export {
  type SamPrompt,
  type SamResult,
  type SamToolHost,
  TOOL_NAMES,
  ToolName,
} from './components/canvas/tools/index.ts';
export { LabelList } from './components/list/list.component.ts';
export { LabelToolbar } from './components/toolbar/toolbar.component.ts';
export type {
  LabelConflictDetail,
  LabelItemChangeDetail,
  LabelSaveDetail,
} from './components/workspace/events.ts';
export { LabelWorkspace } from './components/workspace/workspace.component.ts';
export { CanvasCompanion } from './internal/companion.ts';
export { defineElement, VERSION } from './internal/define.ts';
export * from './workspace/index.ts';
