import type { AnnotationDocument } from '@labelkit/core';
import type { WorkspaceClient } from './client.ts';
import { WorkspaceError } from './errors.ts';
import { KeyValueDb, request } from './idb.ts';

/** One item's latest local edit, waiting to be committed. */
export interface OutboxEntry {
  itemId: string;
  /** The whole document as the user left it (null: delete the item's annotations). */
  document: AnnotationDocument | null;
  /** The commit the edit was made on (what the server merges from); null for a branch with no commit yet. */
  base: string | null;
  /** Bumped by every `stage`: a flush removes an entry only if it was not edited again while in flight. */
  rev: number;
  /** When it was last staged (epoch ms). */
  stagedAt: number;
  /** Set when the server refused to merge it with someone else's edit: it is kept, and not sent again until resolved. */
  conflict?: { head: string; reason: string; shapes?: string[]; fields?: string[] };
  /** Set when the server refused the document itself (400): kept, and not sent again until staged anew. */
  rejected?: { code: string; message: string; path?: string };
}

/** Outcome of one commit a flush made. */
export interface OutboxSaved {
  commit: string;
  /** The commit it was made on, and the branch head after it. */
  parent: string | null;
  head: string;
  merged: boolean;
  /** Items the commit carried. */
  items: string[];
  /**
   * When `merged`: items that someone else changed between `parent` and `head` (an editor showing one of them
   * should reload it). Empty when the commit was a fast-forward.
   */
  changedElsewhere: string[];
}

export interface OutboxConflict {
  item: string;
  reason: string;
  head: string;
  /** The user's version (kept in the outbox under the conflict flag). */
  mine: AnnotationDocument | null;
  /** The item at the server's head, or undefined when it could not be read. */
  theirs: AnnotationDocument | null | undefined;
}

export type OutboxEvent =
  | { type: 'change'; pending: number; conflicts: number }
  | { type: 'saved'; saved: OutboxSaved }
  | { type: 'conflict'; conflict: OutboxConflict }
  | { type: 'rejected'; item: string; error: WorkspaceError };

export interface OutboxOptions {
  /** IndexedDB database name; default one per server and dataset: `labelkit-outbox <server> <dataset>`. */
  name?: string;
  /** Branch to commit to (default `main`). */
  branch?: string;
  /** Commit message (default `Edit N item(s)`). */
  message?: (items: string[]) => string;
}

const ITEM_IN_PATH = /^\$\.items(?:\[("(?:[^"\\]|\\.)*")\]|\.([A-Za-z_$][\w$]*))/;

/** The item id a server error path (`$.items["a.png"].shapes[0].x`) points into, if any. */
export function itemOfPath(path: string | undefined): string | undefined {
  const m = path ? ITEM_IN_PATH.exec(path) : null;
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2];
  try {
    return JSON.parse(m[1] ?? '') as string;
  } catch {
    return undefined;
  }
}

/**
 * Edits waiting to be committed, kept in IndexedDB so that a lost connection or a closed tab loses nothing.
 *
 * `flush()` commits what is staged: all entries that share a base go in ONE commit whose parent is that base, so
 * the server merges each item from the version the user actually edited. (Sending a single newer parent for
 * edits made on older versions would make the server overwrite changes the user never saw; an older parent would
 * report changes that were the user's own as conflicts.) After each commit the entries still waiting move to the
 * new head where nothing changed underneath them, so in practice one commit carries everything.
 */
export class Outbox {
  readonly client: WorkspaceClient;
  readonly db: KeyValueDb<OutboxEntry>;
  #options: OutboxOptions;
  #listeners = new Set<(e: OutboxEvent) => void>();
  #running: Promise<OutboxSaved[]> | undefined;
  #queued: Promise<OutboxSaved[]> | undefined;
  #counter = 0;

  /** Strictly increasing staging times, so that entries staged in one millisecond keep their order. */
  #now(): number {
    return Date.now() + (++this.#counter % 1000) / 1000;
  }

  constructor(client: WorkspaceClient, options: OutboxOptions = {}) {
    this.client = client;
    this.#options = options;
    this.db = new KeyValueDb(
      options.name ?? `labelkit-outbox ${client.url('/')} ${client.dataset}`,
      'entries',
      'itemId',
    );
  }

  /** Listens to the outbox; returns the unsubscribe function. */
  subscribe(fn: (e: OutboxEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(e: OutboxEvent): void {
    for (const fn of this.#listeners) fn(e);
  }

  async #changed(): Promise<void> {
    const all = await this.db.getAll();
    this.#emit({ type: 'change', pending: all.length, conflicts: all.filter((e) => e.conflict).length });
  }

  /** Every entry, in staging order. */
  async entries(): Promise<OutboxEntry[]> {
    return (await this.db.getAll()).sort((a, b) => a.stagedAt - b.stagedAt || a.rev - b.rev);
  }

  entry(itemId: string): Promise<OutboxEntry | undefined> {
    return this.db.get(itemId);
  }

  /**
   * Keeps `document` as the item's latest edit, made on `base`. A later stage of the same item replaces the
   * document but keeps the older base while the entry waits (the edits since then were all made on it). An item
   * in conflict cannot be staged (`workspace/conflict-pending`): the user's version must not be overwritten
   * before they chose between it and the server's.
   */
  async stage(itemId: string, document: AnnotationDocument | null, base: string | null): Promise<void> {
    await this.db.transaction('readwrite', async (s) => {
      const old = await request<OutboxEntry | undefined>(s.get(itemId));
      if (old?.conflict) {
        throw new WorkspaceError(
          'workspace/conflict-pending',
          `${itemId} has a conflict to resolve first (keepMine or discard)`,
        );
      }
      // A new edit clears a rejection: the user may have fixed what the server refused.
      s.put({ itemId, document, base: old ? old.base : base, rev: (old?.rev ?? 0) + 1, stagedAt: this.#now() });
    });
    await this.#changed();
  }

  /** Drops an item's entry (the user chose the server's version). */
  async discard(itemId: string): Promise<void> {
    await this.db.transaction('readwrite', (s) => request(s.delete(itemId)));
    await this.#changed();
  }

  /** Ends a conflict by keeping the user's version: it is sent again on the conflict's head, replacing theirs. */
  async keepMine(itemId: string): Promise<void> {
    await this.db.transaction('readwrite', async (s) => {
      const e = await request<OutboxEntry | undefined>(s.get(itemId));
      if (!e?.conflict) return;
      const { conflict, ...rest } = e;
      s.put({ ...rest, base: conflict.head, rev: e.rev + 1 });
    });
    await this.#changed();
  }

  /**
   * Commits the staged entries (see the class comment). Resolves with the commits made; rejects with the
   * WorkspaceError that stopped it (offline, 401...), leaving every entry not yet accepted in place. Calls made
   * while a flush runs share one follow-up flush. `keepalive` lets the commits outlive a closing page (small
   * bodies only; the entries then stay until the next start, whose resend the server merges as the same edit).
   */
  flush(options: { keepalive?: boolean } = {}): Promise<OutboxSaved[]> {
    if (!this.#running) {
      this.#running = this.#flushOnce(options.keepalive === true).finally(() => (this.#running = undefined));
      return this.#running;
    }
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.flush(options);
      });
    return this.#queued;
  }

  async #flushOnce(keepalive: boolean): Promise<OutboxSaved[]> {
    const saved: OutboxSaved[] = [];
    for (;;) {
      const ready = (await this.entries()).filter((e) => !e.conflict && !e.rejected);
      const first = ready[0];
      if (!first) break;
      const group = ready.filter((e) => e.base === first.base);
      const result = await this.#commitGroup(first.base, group, keepalive);
      if (result) saved.push(result);
    }
    return saved;
  }

  /** Commits entries made on one base; conflicting or invalid items are set aside and the rest tried again. */
  async #commitGroup(base: string | null, group: OutboxEntry[], keepalive: boolean): Promise<OutboxSaved | undefined> {
    const sending = new Map(group.map((e) => [e.itemId, e]));
    while (sending.size) {
      const items: Record<string, AnnotationDocument | null> = {};
      for (const [id, e] of sending) items[id] = e.document;
      const ids = [...sending.keys()];
      try {
        const r = await this.client.commit(
          {
            branch: this.#options.branch ?? 'main',
            parent: base,
            message: this.#options.message?.(ids) ?? `Edit ${ids.length} item${ids.length === 1 ? '' : 's'}`,
            items,
          },
          { keepalive },
        );
        const changedElsewhere = r.merged && base ? await this.#changedBetween(base, r.head, ids) : [];
        await this.#accepted(base, r.head, r.merged, sending, changedElsewhere);
        const out: OutboxSaved = {
          commit: r.commit,
          parent: base,
          head: r.head,
          merged: r.merged,
          items: ids,
          changedElsewhere,
        };
        this.#emit({ type: 'saved', saved: out });
        await this.#changed();
        return out;
      } catch (e) {
        if (!(e instanceof WorkspaceError)) throw e;
        const setAside = await this.#setAside(e, sending);
        if (!setAside.length) throw e;
        for (const id of setAside) sending.delete(id);
      }
    }
    return undefined;
  }

  /** Items of a 409 or 400 that can be held back (marked in the outbox) so the rest can go; [] if none. */
  async #setAside(e: WorkspaceError, sending: Map<string, OutboxEntry>): Promise<string[]> {
    if (e.code === 'history/merge-conflict' && e.head) {
      const head = e.head;
      const conflicts = e.conflicts.filter((c) => sending.has(c.item));
      await this.db.transaction('readwrite', async (s) => {
        for (const c of conflicts) {
          const cur = await request<OutboxEntry | undefined>(s.get(c.item));
          if (!cur) continue;
          const conflict = {
            head,
            reason: c.reason,
            ...(c.shapes ? { shapes: c.shapes } : {}),
            ...(c.fields ? { fields: c.fields } : {}),
          };
          s.put({ ...cur, conflict });
        }
      });
      for (const c of conflicts) {
        const theirs = await this.client.readItem(c.item, { at: head }).then(
          (r) => r.document,
          () => undefined,
        );
        const mine = sending.get(c.item)?.document ?? null;
        this.#emit({ type: 'conflict', conflict: { item: c.item, reason: c.reason, head, mine, theirs } });
      }
      await this.#changed();
      return conflicts.map((c) => c.item);
    }
    const item = e.status === 400 ? itemOfPath(e.path) : undefined;
    if (item !== undefined && sending.has(item)) {
      await this.db.transaction('readwrite', async (s) => {
        const cur = await request<OutboxEntry | undefined>(s.get(item));
        const rejected = { code: e.code, message: e.message, ...(e.path ? { path: e.path } : {}) };
        if (cur) s.put({ ...cur, rejected });
      });
      this.#emit({ type: 'rejected', item, error: e });
      await this.#changed();
      return [item];
    }
    return [];
  }

  /** Items other than ours changed between two commits (so their entries cannot move to the new head). */
  async #changedBetween(from: string, to: string, ours: string[]): Promise<string[]> {
    const mine = new Set(ours);
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.diff(from, to, cursor ? { cursor } : {});
      for (const c of page.changes) if (!mine.has(c.item)) out.push(c.item);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  /**
   * Removes what the commit carried unless it was edited again meanwhile; moves waiting entries to the new head
   * where the head's version is the one their edits were made on.
   */
  async #accepted(
    parent: string | null,
    head: string,
    merged: boolean,
    sent: Map<string, OutboxEntry>,
    changedElsewhere: string[],
  ): Promise<void> {
    const elsewhere = new Set(changedElsewhere);
    await this.db.transaction('readwrite', async (s) => {
      const all = await request<OutboxEntry[]>(s.getAll());
      for (const cur of all) {
        const was = sent.get(cur.itemId);
        if (was && cur.rev === was.rev) {
          s.delete(cur.itemId);
          continue;
        }
        if (cur.conflict || cur.rejected || cur.base !== parent) continue;
        // An item we sent and edited again: after a merge the head holds a merged version this edit never saw.
        if (was ? !merged : !elsewhere.has(cur.itemId)) s.put({ ...cur, base: head });
      }
    });
  }

  /** Closes the database connection (a new Outbox on the same name sees the same entries). */
  close(): void {
    this.db.close();
  }
}
