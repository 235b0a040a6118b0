// Importing the package defines its elements (side effect, declared in package.json "sideEffects").
import './components/canvas/define.ts';

export type { LabelErrorDetail, LabelLoadDetail } from './components/canvas/canvas.component.ts';
export { LabelCanvas } from './components/canvas/canvas.component.ts';
export { defineElement, VERSION } from './internal/define.ts';
