import { decodeRLE, encodeRLE, type RLE } from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';
import { blobMask } from './fixtures.ts';

suite(
  'core rle',
  [1024, 2048, 4096].flatMap((size) => [
    {
      name: `encode+decode ${size}x${size} (50 blobs)`,
      setup: () => blobMask(size, 50),
      run: (mask: Uint8Array) => decodeRLE(encodeRLE(mask, size, size)),
      units: { count: size * size, name: 'px' },
    },
    {
      name: `decode ${size}x${size}`,
      setup: (): RLE => encodeRLE(blobMask(size, 50), size, size),
      run: (rle: RLE) => decodeRLE(rle),
      units: { count: size * size, name: 'px' },
    },
  ]),
);
