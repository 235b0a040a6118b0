/**
 * The IndexedDB embedding store, bounded by bytes (the compact float16 containers, kept across page loads), keyed by
 * `<model id>:<sha256 of the image bytes>`. The in-memory cache beside it is core's `ByteLru` (decoded float32
 * tensors, ready for the decoder).
 */

const request = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

interface Meta {
  key: string;
  bytes: number;
  used: number;
}

/**
 * Container bytes in IndexedDB with a total size bound (least recently used evicted first). Failures of the
 * store (private mode, quota) make it a miss, never an error of the segmenter: the cache is an optimisation.
 */
export class IndexedDbStore {
  private db: Promise<IDBDatabase | undefined> | undefined;

  constructor(
    readonly maxBytes: number,
    private readonly name = 'labelkit-embeddings',
  ) {}

  private open(): Promise<IDBDatabase | undefined> {
    this.db ??= (async () => {
      if (typeof indexedDB === 'undefined') return undefined;
      const r = indexedDB.open(this.name, 1);
      r.onupgradeneeded = () => {
        const db = r.result;
        db.createObjectStore('data');
        db.createObjectStore('meta', { keyPath: 'key' }).createIndex('used', 'used');
      };
      return request(r).catch(() => undefined);
    })();
    return this.db;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const db = await this.open();
    if (!db) return undefined;
    try {
      const tx = db.transaction(['data', 'meta'], 'readwrite');
      const bytes = (await request(tx.objectStore('data').get(key))) as Uint8Array | undefined;
      const meta = (await request(tx.objectStore('meta').get(key))) as Meta | undefined;
      if (bytes && meta) tx.objectStore('meta').put({ ...meta, used: Date.now() });
      await done(tx);
      return bytes;
    } catch {
      return undefined;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.maxBytes) return;
    const db = await this.open();
    if (!db) return;
    try {
      const tx = db.transaction(['data', 'meta'], 'readwrite');
      tx.objectStore('data').put(bytes, key);
      tx.objectStore('meta').put({ key, bytes: bytes.byteLength, used: Date.now() } satisfies Meta);
      await done(tx);
      await this.evict(db);
    } catch {
      // A full or unavailable store only loses the cache entry.
    }
  }

  /** Total bytes stored (for tests and diagnostics). */
  async bytes(): Promise<number> {
    const db = await this.open();
    if (!db) return 0;
    const metas = (await request(db.transaction('meta').objectStore('meta').getAll())) as Meta[];
    return metas.reduce((s, m) => s + m.bytes, 0);
  }

  private async evict(db: IDBDatabase): Promise<void> {
    const tx = db.transaction(['data', 'meta'], 'readwrite');
    const metas = (await request(tx.objectStore('meta').index('used').getAll())) as Meta[];
    let total = metas.reduce((s, m) => s + m.bytes, 0);
    for (const m of metas) {
      if (total <= this.maxBytes) break;
      tx.objectStore('data').delete(m.key);
      tx.objectStore('meta').delete(m.key);
      total -= m.bytes;
    }
    await done(tx);
  }
}
