import type { AnnotationDocument } from '@labelkit/core';
import type { WorkspaceClient } from '../../workspace/client.ts';
import type { DatasetItem } from '../../workspace/types.ts';
import type { LabelCanvas } from '../canvas/canvas.component.ts';
import { imagePixels } from '../canvas/image-loader.ts';

/** What the item view needs from its workspace. */
export interface ItemViewHost {
  readonly canvas: LabelCanvas | null;
  readonly client: WorkspaceClient | undefined;
  readonly segmenter: { prefetch?(image: string | ImageData): Promise<void> } | undefined;
  fail(error: unknown): void;
}

/**
 * Puts an item in the canvas (its document, or an empty one of the image's size once the image has loaded), keeps
 * its signed URL fresh, and fetches the next item's image and embedding ahead.
 */
export class ItemView {
  #host: ItemViewHost;
  /** The item waiting for its image size to get an empty document. */
  #emptyFor: string | undefined;
  #prefetched: HTMLImageElement | undefined;

  constructor(host: ItemViewHost) {
    this.#host = host;
  }

  /** URL of the image fetched ahead. */
  get prefetching(): string | undefined {
    return this.#prefetched?.src;
  }

  async show(item: DatasetItem, doc: AnnotationDocument | null, readonly: boolean): Promise<void> {
    const canvas = this.#host.canvas;
    if (!canvas) return;
    canvas.readonly = readonly;
    const url = await this.freshUrl(item);
    const size = canvas.imageSize;
    this.#emptyFor = undefined;
    if (doc) canvas.document = doc;
    else if (canvas.src === url && size) canvas.document = { version: 1, item: { id: item.id, ...size }, shapes: [] };
    else {
      // Its size is known once the image loads (label-load).
      this.#emptyFor = item.id;
      canvas.document = undefined;
    }
    canvas.src = url;
  }

  /** The canvas's `label-load`: an item without annotations gets its empty document. */
  loaded(itemId: string | undefined, size: { width: number; height: number }): void {
    const canvas = this.#host.canvas;
    if (!canvas || itemId === undefined || this.#emptyFor !== itemId) return;
    this.#emptyFor = undefined;
    canvas.document = { version: 1, item: { id: itemId, width: size.width, height: size.height }, shapes: [] };
  }

  /** The item's signed URL, signed again when it expires within a minute. */
  async freshUrl(item: DatasetItem): Promise<string> {
    const client = this.#host.client;
    const expires = typeof item.expiresAt === 'number' ? item.expiresAt : Date.parse(item.expiresAt);
    if (!(expires < Date.now() + 60_000) || !client) return item.url;
    try {
      const signed = await client.sign({ key: item.id, method: 'GET' });
      item.url = signed.url;
      item.expiresAt = signed.expiresAt;
    } catch (e) {
      this.#host.fail(e);
    }
    return item.url;
  }

  prefetch(next: DatasetItem | undefined): void {
    if (!next) return;
    const img = new Image();
    // The same CORS mode as the canvas's loader: its cached response is then reused, and a cross-origin bucket
    // answering with CORS passes a cross-origin-isolated page's COEP (a no-cors fetch would be blocked).
    img.crossOrigin = 'anonymous';
    img.decoding = 'async';
    img.src = next.url;
    this.#prefetched = img;
    const segmenter = this.#host.segmenter;
    if (!segmenter?.prefetch) return;
    // The embedding is prefetched from the decoded pixels, as the canvas will give them when the item opens
    // (the caches key by the bytes they receive). A failed prefetch is retried, and reported, on opening.
    img
      .decode()
      .then(() => (this.#prefetched === img ? segmenter.prefetch?.(imagePixels(img) ?? next.url) : undefined))
      .catch(() => undefined);
  }
}
