import { maskToPolygons } from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';
import { blobMask } from './fixtures.ts';

suite(
  'core contours',
  [512, 1024, 2048].map((size) => ({
    name: `maskToPolygons ${size}x${size}, 50 blobs, tolerance 0.5`,
    setup: () => blobMask(size, 50),
    run: (mask: Uint8Array) => maskToPolygons(mask, size, size),
    units: { count: size * size, name: 'px' },
  })),
);
