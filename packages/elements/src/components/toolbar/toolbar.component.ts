import { html } from 'lit';
import { CanvasCompanion } from '../../internal/companion.ts';
import { TOOL_NAMES } from '../canvas/tools/index.ts';
import type { ToolName } from '../canvas/tools/types.ts';
import { companionStyles } from '../shared.styles.ts';
import { toolbarStyles } from './toolbar.styles.ts';

const TOOL_TITLES: Record<ToolName, string> = {
  select: 'Select (V)',
  pan: 'Pan (H)',
  box: 'Box (B)',
  polygon: 'Polygon (P)',
  polyline: 'Polyline (L)',
  point: 'Point (K)',
  brush: 'Brush (R)',
  eraser: 'Eraser (E)',
  sam: 'Segment (S)',
  extreme: 'Extreme points (X)',
};

/**
 * `<label-toolbar for="canvas-id">`: tools, labels, undo/redo and zoom for a `<label-canvas>`.
 *
 * @csspart tools - the group of tool buttons
 * @csspart tool - one tool button (`aria-pressed` tells the active one)
 * @csspart labels - the group of label buttons
 * @csspart label - one label button
 * @csspart actions - undo, redo and zoom buttons
 * @cssproperty --label-panel-background - background
 * @cssproperty --label-panel-color - text colour
 * @cssproperty --label-panel-border - button borders
 * @cssproperty --label-accent - the active tool's outline and focus ring
 * @tagname label-toolbar
 */
export class LabelToolbar extends CanvasCompanion {
  static override styles = [companionStyles, toolbarStyles];
  static override properties = {
    ...CanvasCompanion.properties,
    tools: { attribute: false },
  };

  /**
   * Tools offered, in order (default: all). Without a segmenter on the canvas the `sam` button is hidden and the
   * `extreme` one disabled, its title saying why.
   */
  tools: readonly ToolName[] = TOOL_NAMES;

  protected override render() {
    const c = this.canvas;
    if (!c) return html`<span part="empty">No canvas</span>`;
    const tools = this.tools.filter((t) => t !== 'sam' || c.segmenter);
    const active = c.currentLabel();
    const editable = !c.readonly;
    return html`<div role="toolbar" aria-label="Annotation tools">
      <span part="tools" role="group" aria-label="Tools">
        ${tools.map(
          (t) => html`<button
            part="tool"
            data-tool=${t}
            title=${t === 'extreme' && !c.segmenter ? `${TOOL_TITLES[t]}: needs a segmenter model` : TOOL_TITLES[t]}
            aria-pressed=${c.tool === t ? 'true' : 'false'}
            ?disabled=${(!editable && t !== 'select' && t !== 'pan') || (t === 'extreme' && !c.segmenter)}
            @click=${() => c.setTool(t)}
          >
            ${t}
          </button>`,
        )}
      </span>
      <span part="labels" role="group" aria-label="Labels">
        ${c.labels.map(
          (l, i) => html`<button
            part="label"
            data-label=${l.id}
            title="${l.name} (${i + 1})"
            aria-pressed=${active === l.id ? 'true' : 'false'}
            @click=${() => c.setActiveLabel(l.id)}
          >
            <span class="swatch" style="background:${l.color}"></span>${l.name}
          </button>`,
        )}
      </span>
      <span part="actions" role="group" aria-label="Edit and view">
        <button data-action="undo" title="Undo" ?disabled=${!editable || !c.store?.canUndo()} @click=${() => c.undo()}>Undo</button>
        <button data-action="redo" title="Redo" ?disabled=${!editable || !c.store?.canRedo()} @click=${() => c.redo()}>Redo</button>
        <button data-action="zoom-out" title="Zoom out (-)" @click=${() => c.zoomTo(c.scale / 1.25)}>−</button>
        <button data-action="zoom-in" title="Zoom in (+)" @click=${() => c.zoomTo(c.scale * 1.25)}>+</button>
        <button data-action="fit" title="Fit (F)" @click=${() => c.fit()}>Fit</button>
      </span>
    </div>`;
  }
}
