/** Image sizes from PNG, JPEG, WebP and GIF headers, read from bytes without decoding the image. */
export function imageSize(b: Uint8Array): { width: number; height: number } | undefined {
  const u32be = (o: number) =>
    (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>>
    0;
  const u16be = (o: number) => ((b[o] as number) << 8) | (b[o + 1] as number);
  const u16le = (o: number) => (b[o] as number) | ((b[o + 1] as number) << 8);
  const u24le = (o: number) => (b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16);
  // PNG: signature, then the IHDR chunk first.
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47)
    return b[12] === 0x49 && b[13] === 0x48 ? nonZero(u32be(16), u32be(20)) : undefined;
  // GIF
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return nonZero(u16le(6), u16le(8));
  // WebP: RIFF....WEBP then VP8 / VP8L / VP8X.
  if (b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) {
    const kind = String.fromCharCode(b[12] as number, b[13] as number, b[14] as number, b[15] as number);
    if (kind === 'VP8 ') return nonZero(u16le(26) & 0x3fff, u16le(28) & 0x3fff);
    if (kind === 'VP8L') {
      const bits = (b[21] as number) | ((b[22] as number) << 8) | ((b[23] as number) << 16) | ((b[24] as number) << 24);
      return nonZero((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    if (kind === 'VP8X') return nonZero(u24le(24) + 1, u24le(27) + 1);
    return undefined;
  }
  // JPEG: walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG and DAC).
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let o = 2;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) return undefined;
      const m = b[o + 1] as number;
      if (m === 0xff) {
        o++;
        continue;
      }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        o += 2;
        continue;
      }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return nonZero(u16be(o + 7), u16be(o + 5));
      if (m === 0xda || m === 0xd9) return undefined;
      o += 2 + u16be(o + 2);
    }
  }
  return undefined;
}

function nonZero(width: number, height: number): { width: number; height: number } | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
