import type { AnnotationDocument, Diff, LabelKitError, Origin } from '@labelkit/core';
import type { ToolName } from './tools/types.ts';

/** Details of the events of `<label-canvas>` (typed in GlobalEventHandlersEventMap by define.ts). */
export interface LabelLoadDetail {
  width: number;
  height: number;
}
export interface LabelErrorDetail {
  error: LabelKitError;
}
export interface LabelChangeDetail {
  document: AnnotationDocument;
  diff: Diff;
  origin: Origin;
}
export interface LabelToolChangeDetail {
  tool: ToolName;
  activeLabel: string;
}
export interface LabelSelectDetail {
  ids: string[];
}
