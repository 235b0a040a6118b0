import { exhaustiveSwitchError } from '@labelkit/core';
import { boxTool } from './box.ts';
import { brushTool } from './brush.ts';
import { extremeTool } from './extreme.ts';
import { panTool } from './pan.ts';
import { pointTool } from './point.ts';
import { polygonTool } from './polygon.ts';
import { samTool } from './sam.ts';
import { selectTool } from './select.ts';
import type { Tool, ToolHost, ToolName } from './types.ts';

export function createTool(name: ToolName, host: ToolHost): Tool {
  switch (name) {
    case 'select':
      return selectTool(host);
    case 'pan':
      return panTool(host);
    case 'box':
      return boxTool(host);
    case 'polygon':
    case 'polyline':
      return polygonTool(host, name);
    case 'point':
      return pointTool(host);
    case 'brush':
    case 'eraser':
      return brushTool(host, name);
    case 'sam':
      return samTool(host);
    case 'extreme':
      return extremeTool(host);
    default:
      return exhaustiveSwitchError(name, 'tool');
  }
}

export const TOOL_NAMES: readonly ToolName[] = [
  'select',
  'pan',
  'box',
  'polygon',
  'polyline',
  'point',
  'brush',
  'eraser',
  'sam',
  'extreme',
];
export type { SamPrompt, SamResult, SamToolHost } from './sam.ts';
export type { Tool, ToolHost, ToolPointer } from './types.ts';
export { ToolName } from './types.ts';
