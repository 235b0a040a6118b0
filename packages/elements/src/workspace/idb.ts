import { WorkspaceError } from './errors.ts';

/** The few IndexedDB operations the outbox needs, as promises. One object store, keyed by `keyPath`. */
export class KeyValueDb<T> {
  #db: Promise<IDBDatabase> | undefined;
  readonly name: string;
  readonly #store: string;
  readonly #keyPath: string;

  constructor(name: string, store: string, keyPath: string) {
    this.name = name;
    this.#store = store;
    this.#keyPath = keyPath;
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new WorkspaceError('workspace/no-indexeddb', 'IndexedDB is not available here'));
        return;
      }
      const req = indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(this.#store, { keyPath: this.#keyPath });
      req.onsuccess = () => {
        // Another tab deleting or upgrading the database: let it, and reopen on the next call.
        req.result.onversionchange = () => {
          req.result.close();
          this.#db = undefined;
        };
        resolve(req.result);
      };
      req.onerror = () =>
        reject(new WorkspaceError('workspace/indexeddb', `Could not open ${this.name}`, { cause: req.error }));
      req.onblocked = () =>
        reject(new WorkspaceError('workspace/indexeddb', `${this.name} is held open by an older version`));
    });
    return this.#db;
  }

  /** Runs `fn` in one transaction and resolves once it has committed. */
  async transaction<R>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<R> | R): Promise<R> {
    const db = await this.#open();
    const tx = db.transaction(this.#store, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () =>
        reject(new WorkspaceError('workspace/indexeddb', 'An IndexedDB write failed', { cause: tx.error }));
      tx.onabort = () =>
        reject(new WorkspaceError('workspace/indexeddb', 'An IndexedDB write was aborted', { cause: tx.error }));
    });
    const result = await fn(tx.objectStore(this.#store));
    await done;
    return result;
  }

  getAll(): Promise<T[]> {
    return this.transaction('readonly', (s) => request<T[]>(s.getAll()));
  }

  get(key: string): Promise<T | undefined> {
    return this.transaction('readonly', (s) => request<T | undefined>(s.get(key)));
  }

  close(): void {
    void this.#db?.then((db) => db.close());
    this.#db = undefined;
  }
}

/** An IDBRequest as a promise (resolved inside the transaction, so more requests may follow in it). */
export function request<R>(r: IDBRequest): Promise<R> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result as R);
    r.onerror = () =>
      reject(new WorkspaceError('workspace/indexeddb', 'An IndexedDB request failed', { cause: r.error }));
  });
}
