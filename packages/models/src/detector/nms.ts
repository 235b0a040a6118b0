/**
 * Greedy non-maximum suppression on typed arrays. A candidate is kept when no already-kept candidate
 * (of its class, unless class-agnostic) overlaps it with IoU above the threshold: the same result as the
 * textbook "take the best, drop what overlaps it, repeat", in O(n log n + n k) for k kept boxes.
 */

export interface NmsOptions {
  /** Boxes overlapping a better kept box with IoU strictly above this are dropped (0..1). */
  iou: number;
  /** Suppress across classes (true) or only within a class (false). */
  classAgnostic: boolean;
  /** Stop once this many eligible boxes are kept. */
  limit: number;
  /** Only the best `preNmsTopK` candidates by score take part, which bounds the work. */
  preNmsTopK: number;
  /**
   * Per candidate, 1 when it may be returned. An ineligible box that survives still suppresses others (it is
   * what the model saw there) but is not returned nor counted in `limit`; it is counted in `ineligibleKept`.
   */
  eligible?: Uint8Array;
}

export interface NmsResult {
  /** Indices of the kept candidates, best score first (ties: lower index first). */
  kept: Int32Array;
  /** Ineligible candidates that survived suppression. */
  ineligibleKept: Int32Array;
}

/** Scores descending, then index ascending: a total order, so the result never depends on the sort. */
export function rankByScore(scores: ArrayLike<number>, count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * `boxes` holds x1,y1,x2,y2 per candidate (x2 >= x1, y2 >= y1); `classes` the class of each.
 */
export function nms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: ArrayLike<number>,
  count: number,
  options: NmsOptions,
): NmsResult {
  const { iou, classAgnostic, limit, preNmsTopK, eligible } = options;
  const order = rankByScore(scores, count);
  const n = Math.min(count, preNmsTopK);
  // Kept boxes (eligible or not) as suppressors, packed for a tight inner loop.
  const kx1 = new Float64Array(n);
  const ky1 = new Float64Array(n);
  const kx2 = new Float64Array(n);
  const ky2 = new Float64Array(n);
  const karea = new Float64Array(n);
  const kcls = new Int32Array(n);
  let nk = 0;
  const kept: number[] = [];
  const ineligible: number[] = [];
  for (let r = 0; r < n && kept.length < limit; r++) {
    const i = order[r]!;
    const x1 = boxes[4 * i]!;
    const y1 = boxes[4 * i + 1]!;
    const x2 = boxes[4 * i + 2]!;
    const y2 = boxes[4 * i + 3]!;
    const area = (x2 - x1) * (y2 - y1);
    const cls = classes[i]!;
    let suppressed = false;
    for (let j = 0; j < nk; j++) {
      if (!classAgnostic && kcls[j] !== cls) continue;
      const w = Math.min(x2, kx2[j]!) - Math.max(x1, kx1[j]!);
      if (w <= 0) continue;
      const h = Math.min(y2, ky2[j]!) - Math.max(y1, ky1[j]!);
      if (h <= 0) continue;
      const inter = w * h;
      if (inter / (area + karea[j]! - inter) > iou) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    kx1[nk] = x1;
    ky1[nk] = y1;
    kx2[nk] = x2;
    ky2[nk] = y2;
    karea[nk] = area;
    kcls[nk] = cls;
    nk++;
    if (eligible && !eligible[i]) ineligible.push(i);
    else kept.push(i);
  }
  return { kept: Int32Array.from(kept), ineligibleKept: Int32Array.from(ineligible) };
}
