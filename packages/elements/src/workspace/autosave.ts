import { WorkspaceError } from './errors.ts';

export interface AutosaveOptions {
  /** Quiet time after the last edit before saving, in ms (default 1500). */
  delay?: number;
  /** First wait before retrying a save that failed for a transient reason, in ms (default 2,000; doubles). */
  retryDelay?: number;
  /** Longest wait between retries while the server cannot be reached, in ms (default 30,000). */
  maxRetryDelay?: number;
  /** Window whose `pagehide`, `visibilitychange` and `online` events trigger a save (default `globalThis`). */
  target?: Window;
}

/**
 * When to save: `schedule()` after each edit (debounced), `now()` on an item change; the page hiding (tab closed,
 * switched away, mobile app backgrounded) and the connection coming back save at once. While saves fail for a
 * transient reason (offline, 503), it retries with a growing delay.
 */
export class Autosave {
  readonly delay: number;
  #save: (reason: string) => Promise<unknown>;
  #maxRetry: number;
  #firstRetry: number;
  #target: Window | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = 0;
  #stopped = false;
  #onHide = () => {
    if (this.#target?.document?.visibilityState === 'hidden') void this.now('hidden');
  };
  #onPageHide = () => void this.now('pagehide');
  #onOnline = () => {
    this.#retryDelay = 0;
    void this.now('online');
  };

  /** `save` runs one save and rejects when it failed (a transient WorkspaceError makes it retry later). */
  constructor(save: (reason: string) => Promise<unknown>, options: AutosaveOptions = {}) {
    this.#save = save;
    this.delay = options.delay ?? 1500;
    this.#maxRetry = options.maxRetryDelay ?? 30_000;
    this.#firstRetry = options.retryDelay ?? 2000;
    this.#target = options.target ?? (globalThis.window as Window | undefined);
    this.#target?.addEventListener('pagehide', this.#onPageHide);
    this.#target?.document?.addEventListener('visibilitychange', this.#onHide);
    this.#target?.addEventListener('online', this.#onOnline);
  }

  /** An edit happened: save once edits pause for `delay` ms. */
  schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.now('edit'), this.delay);
  }

  /** Saves now (cancelling a scheduled save). Never rejects: failures only schedule retries. */
  async now(reason = 'now'): Promise<void> {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#save(reason);
      this.#retryDelay = 0;
    } catch (e) {
      if (this.#stopped || !(e instanceof WorkspaceError) || !e.transient) return;
      this.#retryDelay = Math.min(this.#maxRetry, this.#retryDelay ? this.#retryDelay * 2 : this.#firstRetry);
      this.#timer = setTimeout(() => void this.now('retry'), this.#retryDelay);
    }
  }

  /** Removes the listeners and timers (a pending edit stays in the outbox for the next start). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#target?.removeEventListener('pagehide', this.#onPageHide);
    this.#target?.document?.removeEventListener('visibilitychange', this.#onHide);
    this.#target?.removeEventListener('online', this.#onOnline);
  }
}
