/**
 * The zip container (PKWARE APPNOTE 6.3): local headers, data descriptors, the central directory and its end
 * records, with ZIP64 end records when there are more than 65,535 entries or the archive passes 4 GiB.
 * fflate's streaming `Zip` writes a 16-bit entry count (a YOLO export of 100,000 label files then reads back
 * as 34,464 files, fflate's own unzip included) and keeps ~2.5 KB of closures per entry; here an entry costs
 * its name and four numbers.
 */

const U32 = 0xffffffff;
/** General purpose flags: bit 3 (sizes in a data descriptor), bit 11 (UTF-8 names). */
const FLAG_UTF8 = 1 << 11;
const FLAG_DESCRIPTOR = 1 << 3;
const DEFLATE = 8;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** MS-DOS time and date of `ms` (local time, as zip tools show them); 1980 is the earliest. */
function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(Math.max(ms, new Date(1980, 0, 1).getTime()));
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function writeU64(view: DataView, at: number, n: number): void {
  view.setUint32(at, n % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(n / 2 ** 32), true);
}

/** Bookkeeping of the entries written so far, and the bytes of each header. */
export class ZipLayout {
  /** Bytes written so far (the offset of the next local header). */
  offset = 0;
  private readonly names: Uint8Array[] = [];
  private readonly flags: number[] = [];
  /** Per entry: crc, compressed size, size, local header offset. */
  private readonly numbers: number[] = [];
  private readonly time: number;
  private readonly date: number;
  private readonly enc = new TextEncoder();

  constructor(mtime: number) {
    ({ time: this.time, date: this.date } = dosTime(mtime));
  }

  get entries(): number {
    return this.names.length;
  }

  /**
   * The local header of a new entry. With `known` the CRC and sizes are in the header; without, they follow the
   * data in a descriptor (`descriptor()`) and must then fit 32 bits.
   */
  localHeader(path: string, known?: { crc: number; compressed: number; size: number }): Uint8Array {
    const name = this.enc.encode(path);
    if (name.length > 0xffff) throw new ZipFormatError(`zip entry name too long: ${path.slice(0, 80)}...`);
    if (known && (known.compressed >= U32 || known.size >= U32))
      throw new ZipFormatError(`zip entry ${path} is 4 GiB or more`);
    const flag = FLAG_UTF8 | (known ? 0 : FLAG_DESCRIPTOR);
    const out = new Uint8Array(30 + name.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, flag, true);
    v.setUint16(8, DEFLATE, true);
    v.setUint16(10, this.time, true);
    v.setUint16(12, this.date, true);
    v.setUint32(14, known?.crc ?? 0, true);
    v.setUint32(18, known?.compressed ?? 0, true);
    v.setUint32(22, known?.size ?? 0, true);
    v.setUint16(26, name.length, true);
    v.setUint16(28, 0, true);
    out.set(name, 30);
    this.names.push(name);
    this.flags.push(flag);
    this.numbers.push(known?.crc ?? 0, known?.compressed ?? 0, known?.size ?? 0, this.offset);
    return out;
  }

  /** The data descriptor that ends the last entry opened without `known` sizes, recording them. */
  descriptor(crc: number, compressed: number, size: number): Uint8Array {
    if (compressed >= U32 || size >= U32) throw new ZipFormatError('a zip entry of 4 GiB or more');
    const at = this.numbers.length - 4;
    this.numbers[at] = crc;
    this.numbers[at + 1] = compressed;
    this.numbers[at + 2] = size;
    const out = new Uint8Array(16);
    const v = new DataView(out.buffer);
    v.setUint32(0, 0x08074b50, true);
    v.setUint32(4, crc >>> 0, true);
    v.setUint32(8, compressed, true);
    v.setUint32(12, size, true);
    return out;
  }

  /** The central directory and end records (ZIP64 ones where a count or an offset does not fit). */
  *end(): Generator<Uint8Array> {
    const start = this.offset;
    let size = 0;
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as Uint8Array;
      const [crc, compressed, length, offset] = this.numbers.slice(i * 4, i * 4 + 4) as [
        number,
        number,
        number,
        number,
      ];
      const big = offset >= U32;
      const out = new Uint8Array(46 + name.length + (big ? 12 : 0));
      const v = new DataView(out.buffer);
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, (3 << 8) | 45, true); // made by: Unix, 4.5
      v.setUint16(6, big ? 45 : 20, true);
      v.setUint16(8, this.flags[i] as number, true);
      v.setUint16(10, DEFLATE, true);
      v.setUint16(12, this.time, true);
      v.setUint16(14, this.date, true);
      v.setUint32(16, crc >>> 0, true);
      v.setUint32(20, compressed, true);
      v.setUint32(24, length, true);
      v.setUint16(28, name.length, true);
      v.setUint16(30, big ? 12 : 0, true);
      v.setUint32(38, (0o100644 << 16) >>> 0, true); // a regular file, rw-r--r--
      v.setUint32(42, big ? U32 : offset, true);
      out.set(name, 46);
      if (big) {
        v.setUint16(46 + name.length, 1, true); // ZIP64 extra: the offset only
        v.setUint16(48 + name.length, 8, true);
        writeU64(v, 50 + name.length, offset);
      }
      size += out.length;
      yield out;
    }
    const entries = this.names.length;
    const zip64 = entries > 0xfffe || start >= U32 || size >= U32;
    if (zip64) {
      const rec = new Uint8Array(56 + 20);
      const v = new DataView(rec.buffer);
      v.setUint32(0, 0x06064b50, true);
      writeU64(v, 4, 44);
      v.setUint16(12, (3 << 8) | 45, true);
      v.setUint16(14, 45, true);
      writeU64(v, 24, entries);
      writeU64(v, 32, entries);
      writeU64(v, 40, size);
      writeU64(v, 48, start);
      v.setUint32(56, 0x07064b50, true); // locator
      writeU64(v, 64, start + size);
      v.setUint32(72, 1, true);
      yield rec;
    }
    const eocd = new Uint8Array(22);
    const v = new DataView(eocd.buffer);
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, zip64 ? 0xffff : entries, true);
    v.setUint16(10, zip64 ? 0xffff : entries, true);
    v.setUint32(12, zip64 ? U32 : size, true);
    v.setUint32(16, zip64 ? U32 : start, true);
    yield eocd;
  }
}
