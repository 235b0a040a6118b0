import type { LabelDef } from '@labelkit/core';

const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
];

/** The colour of a label (by id or name); a label without a definition gets a stable colour from its name. */
export function labelColor(labels: readonly LabelDef[], label: string): string {
  const def = labels.find((l) => l.id === label || l.name === label);
  if (def) return def.color;
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length] as string;
}
