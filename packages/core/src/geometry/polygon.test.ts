import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  decodeRLE,
  GeometryError,
  iouBox,
  iouPolygon,
  maskToPolygons,
  polygonArea,
  polygonToMask,
  polygonToRLE,
  rleArea,
  type Shape,
  shapeBBox,
  simplifyPolygon,
} from '@labelkit/core';
import fc from 'fast-check';

const gt = JSON.parse(readFileSync(new URL('./fixtures/coco-val2014-gt.json', import.meta.url), 'utf8')) as {
  polygons: { id: number; width: number; height: number; points: number[]; area: number; bbox: number[] }[];
};

const sum = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
const code = (c: string) => (e: unknown) => e instanceof GeometryError && e.code === c;

function iouMasks(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.length; k++) {
    i += (a[k] as number) & (b[k] as number);
    u += (a[k] as number) | (b[k] as number);
  }
  return u ? i / u : 1;
}

/** Re-rasterizes the polygons maskToPolygons returned. */
function rasterize(polys: { points: number[]; holes: number[][] }[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (const p of polys) {
    const m = polygonToMask(p.points, p.holes, w, h);
    for (let k = 0; k < m.length; k++) out[k]! |= m[k] as number;
  }
  return out;
}

describe('polygons against COCO', () => {
  it('polygonArea equals COCO area; the rasterized area is within 1%; shapeBBox equals COCO bbox', () => {
    for (const p of gt.polygons) {
      assert.ok(Math.abs(polygonArea(p.points) - p.area) < 1e-6 * p.area, `area of ${p.id}`);
      const px = sum(polygonToMask(p.points, undefined, p.width, p.height));
      assert.ok(Math.abs(px - p.area) / p.area < 0.01, `${p.id}: ${px} pixels for area ${p.area}`);
      assert.equal(rleArea(polygonToRLE(p.points, undefined, p.width, p.height)), px);
      const bb = shapeBBox({ id: 'p', label: 'l', type: 'polygon', points: p.points });
      for (const [i, v] of bb.entries()) assert.ok(Math.abs(v - (p.bbox[i] as number)) < 0.011, `bbox of ${p.id}`);
    }
  });
});

describe('polygonToMask', () => {
  it('fills pixels whose centre is inside, with holes even-odd, clipped to the image', () => {
    const m = polygonToMask([1, 1, 5, 1, 5, 4, 1, 4], [[2, 2, 3, 2, 3, 3, 2, 3]], 6, 5);
    // prettier-ignore
    assert.deepEqual(
      Array.from(m),
      [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    );
    assert.equal(sum(polygonToMask([-10, -10, 100, -10, 100, 100, -10, 100], undefined, 6, 5)), 30);
    assert.equal(sum(polygonToMask([-10, -10, -5, -10, -5, -5], undefined, 6, 5)), 0);
    // A triangle: area 12.5 on a 5x5 grid; centre sampling gives 10 or 15 pixels, never far off.
    const tri = sum(polygonToMask([0, 0, 5, 0, 0, 5], undefined, 5, 5));
    assert.ok(tri >= 10 && tri <= 15);
  });

  it('equals a brute-force even-odd test of every pixel centre on random polygons with holes', () => {
    const inside = (rings: number[][], px: number, py: number) => {
      let odd = false;
      for (const r of rings)
        for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
          const [xi, yi, xj, yj] = [r[i] as number, r[i + 1] as number, r[j] as number, r[j + 1] as number];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) odd = !odd;
        }
      return odd;
    };
    // A centre within rounding distance of an edge is a tie that two correct formulas may break differently
    // (e.g. a sliver from (0,0) to (23-1e-13, 23-1e-13) passes 1e-14 from (0.5, 0.5)): such pixels are not compared.
    const nearEdge = (rings: number[][], px: number, py: number) => {
      for (const r of rings)
        for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
          const [ax, ay, bx, by] = [r[j] as number, r[j + 1] as number, r[i] as number, r[i + 1] as number];
          const dx = bx - ax;
          const dy = by - ay;
          const len2 = dx * dx + dy * dy;
          const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
          if (Math.hypot(ax + t * dx - px, ay + t * dy - py) < 1e-9) return true;
        }
      return false;
    };
    const coord = fc.double({ min: -3, max: 23, noNaN: true });
    const ring = fc.array(fc.tuple(coord, coord), { minLength: 3, maxLength: 8 }).map((p) => p.flat());
    fc.assert(
      fc.property(ring, fc.array(ring, { maxLength: 2 }), (points, holes) => {
        const m = polygonToMask(points, holes, 20, 16);
        for (let y = 0; y < 16; y++)
          for (let x = 0; x < 20; x++) {
            if (nearEdge([points, ...holes], x + 0.5, y + 0.5)) continue;
            const want = inside([points, ...holes], x + 0.5, y + 0.5);
            // Both use half-open rules ([top, bottom) rows, [x0, x1) spans), so even centres on an edge agree.
            if (m[y * 20 + x] !== (want ? 1 : 0)) assert.fail(`pixel ${x},${y} of ${JSON.stringify([points, holes])}`);
          }
      }),
      { numRuns: 300 },
    );
  });

  it('throws GeometryError on malformed rings and sizes', () => {
    assert.throws(() => polygonToMask([0, 0, 1, 1], undefined, 4, 4), code('geometry/invalid-polygon'));
    assert.throws(() => polygonToMask([0, 0, 1, 1, 2], undefined, 4, 4), code('geometry/invalid-polygon'));
    assert.throws(() => polygonToMask([0, 0, 1, Number.NaN, 2, 2], undefined, 4, 4), code('geometry/invalid-polygon'));
    assert.throws(() => polygonToMask([0, 0, 1, 0, 1, 1], [[0, 0]], 4, 4), code('geometry/invalid-polygon'));
    assert.throws(() => polygonToMask([0, 0, 1, 0, 1, 1], undefined, -1, 4), code('geometry/invalid-size'));
    assert.throws(() => polygonArea([0, 1]), code('geometry/invalid-polygon'));
  });
});

describe('IoU and bounding boxes', () => {
  it('iouBox, iouPolygon', () => {
    assert.equal(iouBox({ x: 0, y: 0, width: 2, height: 2 }, { x: 1, y: 1, width: 2, height: 2 }), 1 / 7);
    assert.equal(iouBox({ x: 0, y: 0, width: 2, height: 2 }, { x: 5, y: 5, width: 2, height: 2 }), 0);
    assert.equal(iouBox({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 }), 0);
    assert.throws(() => iouBox({ x: 0, y: 0, width: -1, height: 2 }, { x: 0, y: 0, width: 1, height: 1 }));
    const a = [0, 0, 4, 0, 4, 4, 0, 4];
    assert.equal(iouPolygon(a, [2, 0, 6, 0, 6, 4, 2, 4], 8, 8), 8 / 24);
    assert.equal(iouPolygon({ points: a, holes: [[1, 1, 3, 1, 3, 3, 1, 3]] }, a, 8, 8), 12 / 16);
  });

  it('shapeBBox of every type, rotated boxes included', () => {
    const base = { id: 's', label: 'l' };
    assert.deepEqual(shapeBBox({ ...base, type: 'box', x: 1, y: 2, width: 4, height: 2 }), [1, 2, 4, 2]);
    const r = shapeBBox({ ...base, type: 'box', x: 0, y: 0, width: 4, height: 2, rotation: 90 });
    for (const [i, v] of [1, -1, 2, 4].entries()) assert.ok(Math.abs((r[i] as number) - v) < 1e-9, `${r}`);
    const r45 = shapeBBox({ ...base, type: 'box', x: 0, y: 0, width: 2, height: 2, rotation: 45 });
    assert.ok(Math.abs((r45[2] as number) - 2 * Math.SQRT2) < 1e-9);
    assert.deepEqual(shapeBBox({ ...base, type: 'point', x: 3, y: 4 }), [3, 4, 0, 0]);
    assert.deepEqual(shapeBBox({ ...base, type: 'polyline', points: [1, 5, 3, 2] }), [1, 2, 2, 3]);
    const mask: Shape = { ...base, type: 'mask', rle: polygonToRLE([1, 1, 3, 1, 3, 4, 1, 4], undefined, 5, 5) };
    assert.deepEqual(shapeBBox(mask), [1, 1, 2, 3]);
  });
});

describe('maskToPolygons', () => {
  const W = 40;
  const H = 30;
  function disc(cx: number, cy: number, r: number, m: Uint8Array = new Uint8Array(W * H), value = 1): Uint8Array {
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) m[y * W + x] = value;
    return m;
  }

  it('traces outlines with their holes; at tolerance 0 the polygons rasterize back to the exact mask', () => {
    const m = disc(12, 14, 9);
    disc(12, 14, 4, m, 0); // a hole
    disc(32, 8, 5, m); // a second blob
    m[29 * W + 39] = 1; // a single pixel in the corner
    m[0] = 1;
    m[W + 1] = 1; // touching m[0] only at a corner: a separate polygon
    const polys = maskToPolygons(m, W, H, { tolerance: 0 });
    assert.equal(polys.length, 5);
    assert.deepEqual(
      polys.map((p) => p.holes.length),
      [0, 0, 0, 1, 0],
    );
    assert.deepEqual(polys[0], { points: [0, 0, 1, 0, 1, 1, 0, 1], holes: [] });
    assert.deepEqual(rasterize(polys, W, H), m);
  });

  it('IoU >= 0.98 with the mask at tolerance 0.5 on ordinary shapes, with fewer points', () => {
    const m = disc(20, 15, 12);
    disc(16, 12, 3, m, 0);
    const exact = maskToPolygons(m, W, H, { tolerance: 0 });
    const simple = maskToPolygons(m, W, H, { tolerance: 0.5 });
    assert.ok(simple[0]!.points.length < exact[0]!.points.length);
    assert.equal(simple[0]!.holes.length, 1);
    assert.ok(iouMasks(rasterize(simple, W, H), m) >= 0.98);
    // Default tolerance is 0.5.
    assert.deepEqual(maskToPolygons(m, W, H), simple);
  });

  it('round-trips random blob masks: exact at tolerance 0, IoU >= 0.98 at 0.5 for large enough blobs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.nat(W), y: fc.nat(H), r: fc.integer({ min: 4, max: 10 }), v: fc.nat(3) }), {
          minLength: 1,
          maxLength: 5,
        }),
        (blobs) => {
          const m = new Uint8Array(W * H);
          for (const b of blobs) disc(b.x, b.y, b.r, m, b.v === 0 ? 0 : 1);
          assert.deepEqual(rasterize(maskToPolygons(m, W, H, { tolerance: 0 }), W, H), m);
          if (sum(m) > 200) assert.ok(iouMasks(rasterize(maskToPolygons(m, W, H), W, H), m) >= 0.98);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('minArea drops small outlines and fills small holes', () => {
    const m = disc(12, 14, 9);
    m[(14 * W + 12) as number] = 0; // a one-pixel hole
    m[2 * W + 35] = 1; // a one-pixel blob
    const polys = maskToPolygons(m, W, H, { minArea: 2 });
    assert.equal(polys.length, 1);
    assert.equal(polys[0]!.holes.length, 0);
  });

  it('the full and the empty mask', () => {
    assert.deepEqual(maskToPolygons(new Uint8Array(6).fill(1), 3, 2), [
      { points: [0, 0, 3, 0, 3, 2, 0, 2], holes: [] },
    ]);
    assert.deepEqual(maskToPolygons(new Uint8Array(6), 3, 2), []);
    assert.deepEqual(maskToPolygons(new Uint8Array(0), 0, 0), []);
  });

  it('throws GeometryError on bad sizes and options', () => {
    assert.throws(() => maskToPolygons(new Uint8Array(5), 3, 2), code('geometry/size-mismatch'));
    assert.throws(() => maskToPolygons(new Uint8Array(6), 3, 2, { tolerance: -1 }), code('geometry/invalid-argument'));
    assert.throws(
      () => maskToPolygons(new Uint8Array(6), 3, 2, { minArea: Number.NaN }),
      code('geometry/invalid-argument'),
    );
  });

  it('works on a decoded COCO mask', () => {
    const rle = polygonToRLE([5, 5, 30, 4, 35, 25, 10, 28], [[15, 12, 22, 12, 22, 18, 15, 18]], W, H);
    const m = decodeRLE(rle);
    const polys = maskToPolygons(m, W, H);
    assert.equal(polys.length, 1);
    assert.equal(polys[0]!.holes.length, 1);
    assert.ok(iouMasks(rasterize(polys, W, H), m) >= 0.98);
  });
});

describe('simplifyPolygon', () => {
  it('drops points within the tolerance and keeps corners', () => {
    const square = [0, 0, 5, 0, 10, 0.2, 10, 10, 5, 10, 0, 10];
    assert.deepEqual(simplifyPolygon(square, 0.5), [0, 0, 10, 0.2, 10, 10, 0, 10]);
    assert.deepEqual(simplifyPolygon(square, 0), square);
    assert.deepEqual(simplifyPolygon([0, 0, 1, 0, 0, 1], 5), [0, 0, 1, 0, 0, 1]);
    assert.throws(() => simplifyPolygon([0, 0, 1], 1), code('geometry/invalid-polygon'));
    assert.throws(() => simplifyPolygon(square, -1), code('geometry/invalid-argument'));
  });
});
