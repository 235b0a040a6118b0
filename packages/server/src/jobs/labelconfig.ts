/**
 * The few parts of a Label Studio labeling config (XML) the ML backend needs: the image's name and data key,
 * and the `RectangleLabels` / `BrushLabels` controls with their labels (and `predicted_values`, the model class
 * names each label stands for, as Label Studio's own YOLO backend reads them).
 */
import { JobError } from './errors.ts';

export interface LabelControl {
  /** `name`: the `from_name` of results. */
  name: string;
  /** `toName`: the image tag it labels. */
  toName: string;
  /** Label value -> model class names it takes (its `predicted_values`, else the value itself). */
  labels: Map<string, string[]>;
}

export interface LabelConfig {
  /** The `Image` tag's `name` (results' `to_name`) and the task data key its `value="$key"` reads. */
  image: { name: string; dataKey: string };
  rectangles?: LabelControl;
  brushes?: LabelControl;
}

const MAX_CONFIG = 256 * 1024;

function attributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of s.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    out.set((m[1] as string).toLowerCase(), unescapeXml(m[2] ?? m[3] ?? ''));
  return out;
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function control(xml: string, tag: string): LabelControl | undefined {
  const m = new RegExp(`<${tag}\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'i').exec(xml);
  if (!m) return undefined;
  const a = attributes(m[1] ?? '');
  const name = a.get('name');
  const toName = a.get('toname');
  if (!name || !toName)
    throw new JobError('labelstudio/invalid-request', `<${tag}> needs name and toName`, { path: '$.label_config' });
  const labels = new Map<string, string[]>();
  for (const l of (m[2] ?? '').matchAll(/<Label\b([^>]*?)\/?>/gi)) {
    const la = attributes(l[1] ?? '');
    const value = la.get('value');
    if (!value) continue;
    const predicted = la.get('predicted_values');
    labels.set(
      value,
      predicted
        ? predicted
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [value],
    );
  }
  return { name, toName, labels };
}

/** Reads a labeling config; `labelstudio/invalid-request` naming `$.label_config` when it lacks an image. */
export function parseLabelConfig(xml: unknown): LabelConfig {
  const fail = (message: string) => new JobError('labelstudio/invalid-request', message, { path: '$.label_config' });
  if (typeof xml !== 'string' || xml.length === 0 || xml.length > MAX_CONFIG)
    throw fail("label_config is the project's labeling config (XML)");
  const image = /<Image\b([^>]*?)\/?>/i.exec(xml);
  const a = attributes(image?.[1] ?? '');
  const name = a.get('name');
  const value = a.get('value');
  if (!name || !value?.startsWith('$')) throw fail('The labeling config has no <Image name="..." value="$...">');
  const rectangles = control(xml, 'RectangleLabels');
  const brushes = control(xml, 'BrushLabels');
  if (!rectangles && !brushes) throw fail('The labeling config has no <RectangleLabels> or <BrushLabels>');
  return {
    image: { name, dataKey: value.slice(1) },
    ...(rectangles ? { rectangles } : {}),
    ...(brushes ? { brushes } : {}),
  };
}

/**
 * Model class -> Label Studio label: each label's `predicted_values` (or its own value), matched without regard
 * to case. Classes no label takes are not predicted.
 */
export function labelMapOf(controls: readonly LabelControl[], classes: readonly string[]): Record<string, string> {
  const byLower = new Map(classes.map((c) => [c.toLowerCase(), c]));
  const out: Record<string, string> = {};
  for (const c of controls)
    for (const [label, names] of c.labels)
      for (const n of names) {
        const cls = byLower.get(n.toLowerCase());
        if (cls !== undefined && out[cls] === undefined) out[cls] = label;
      }
  return out;
}
