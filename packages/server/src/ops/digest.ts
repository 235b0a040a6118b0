/**
 * What an ETag says about an object's bytes. The fs driver's ETag is the quoted sha256 of the content, an S3
 * ETag of a single-part upload is the quoted MD5; Azure's and GCS's (a version marker, a generation) say
 * nothing. Comparisons use an ETag only where it is content-derived and fall back to hashing the bytes, so a
 * wrong guess can only cost an extra read or copy, never skip an object that differs.
 */
import { createHash } from 'node:crypto';
import type { ObjectInfo, StorageDriver } from '../storage/drivers/types.ts';

export interface Digest {
  sha256: string;
  md5: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MD5 = /^[0-9a-f]{32}$/;

export function digest(bytes: Uint8Array): Digest {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}

/** The content hash an ETag carries, if any: `{ sha256 }` (fs), `{ md5 }` (S3 single-part), or `{}`. */
export function etagDigest(etag: string | undefined): Partial<Digest> {
  if (etag === undefined) return {};
  const bare = etag
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (SHA256.test(bare)) return { sha256: bare };
  if (MD5.test(bare)) return { md5: bare };
  return {};
}

/**
 * Whether bytes of digest `d` match `etag`: true or false for a sha256 ETag; true for an equal MD5, but
 * undefined (cannot tell) for another 32-digit ETag, since S3 gives objects encrypted with SSE-KMS or SSE-C
 * ETags of that shape that are not their MD5; undefined for opaque ETags.
 */
export function matchesEtag(d: Digest, etag: string | undefined): boolean | undefined {
  const e = etagDigest(etag);
  if (e.sha256 !== undefined) return e.sha256 === d.sha256;
  if (e.md5 !== undefined && e.md5 === d.md5) return true;
  return undefined;
}

export interface SameContentInput {
  /** The destination's object (from `head`). */
  dst: ObjectInfo;
  /** Reads the destination's bytes (only when the ETags cannot decide). */
  readDst: () => Promise<Uint8Array | undefined>;
  /** The source's size and ETag (from its listing). */
  src: { size: number; etag: string };
  /** Reads the source's bytes (only when nothing else can decide). */
  readSrc: () => Promise<Uint8Array | undefined>;
  /** The sha256 the content must have, when the key names it (history objects). */
  sha256?: string;
}

/**
 * Whether the destination already holds the source's content: sizes first, then content-derived ETags, then
 * one side's bytes hashed against the other's ETag or the known sha256, and only as a last resort both sides'.
 */
export async function sameContent(input: SameContentInput): Promise<boolean> {
  const { dst, src, sha256 } = input;
  if (dst.size !== src.size) return false;
  const d = etagDigest(dst.etag);
  if (sha256 !== undefined && d.sha256 !== undefined) return d.sha256 === sha256;
  const s = etagDigest(src.etag);
  if (s.sha256 !== undefined && d.sha256 !== undefined) return s.sha256 === d.sha256;
  if (s.md5 !== undefined && d.md5 !== undefined) return s.md5 === d.md5;
  if (d.md5 !== undefined) {
    // An S3 destination of an fs (or Azure, GCS) source: hash the source, usually the nearer of the two.
    const srcBytes = await input.readSrc();
    return srcBytes !== undefined && digest(srcBytes).md5 === d.md5;
  }
  const dstBytes = await input.readDst();
  if (dstBytes === undefined) return false;
  const dd = digest(dstBytes);
  if (sha256 !== undefined) return dd.sha256 === sha256;
  const bySrcEtag = matchesEtag(dd, src.etag);
  if (bySrcEtag !== undefined) return bySrcEtag;
  const srcBytes = await input.readSrc();
  return srcBytes !== undefined && digest(srcBytes).sha256 === dd.sha256;
}

/** A driver and a key prefix in it (`''` or ending with `/`): a dataset's history, a backup, a source. */
export interface Location {
  driver: StorageDriver;
  prefix: string;
}
