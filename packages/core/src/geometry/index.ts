export { type MaskToPolygonsOptions, maskToPolygons, type PolygonRings } from './contours.ts';
export {
  type BBox,
  boxCorners,
  iouBox,
  iouPolygon,
  pointsBBox,
  polygonArea,
  polygonToMask,
  polygonToRLE,
  type Rect,
  type Rings,
  shapeBBox,
} from './polygon.ts';
export {
  countsToRLE,
  decodeRLE,
  encodeRLE,
  intersectRLE,
  iouRLE,
  mergeRLE,
  rleArea,
  rleToBbox,
  rleToCounts,
} from './rle.ts';
export { simplifyPolygon } from './simplify.ts';
