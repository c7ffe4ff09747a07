// The change feed, live, in one process: one reader follows the feed from "now" and hands every new change to
// whoever listens (the graph's `offerChanged` subscriptions, the webhook dispatcher's wake-up). It reads when
// told that something was committed — a NOTIFY on `passerelle_changes` (migration `change_notify`), which every
// instance on a PostgreSQL database hears, and which PGlite delivers in its own process — and, as a safety net,
// every `pollMs` (a notification lost with a dropped connection delays changes by one poll, never loses them: the
// feed, read from this reader's cursor, says what changed and in which order).
//
// What it hands out is the change feed's public side (src/exports/change-feed.ts): no change of a restricted
// source, no contact field in `record`. A subscriber's own fields (a Service's courriel…) are resolved again
// with its token's rights, through the auth directive.
import { readChangeFeed, type FeedChange } from '../exports/change-feed';
import { currentPosition, encodeChangeCursor } from '../store/changes';
import type { Store } from '../store/database';
import type { Logger } from '../logger';
import { DEFAULT_FRESHNESS, type FreshnessThresholds } from '../quality/freshness';

export const CHANGES_CHANNEL = 'passerelle_changes';

export interface ChangeStreamOptions {
  restrictedSources: readonly string[];
  freshness?: FreshnessThresholds;
  pollMs: number;
  logger: Logger;
}

type Listener = (change: FeedChange) => void;

/** Changes a slow subscriber may have waiting before it is dropped (its client reconnects and resumes). */
const MAX_QUEUED = 10_000;

export class ChangeStream {
  private cursor?: string;
  private readonly listeners = new Set<Listener>();
  private readonly wakers = new Set<() => void>();
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: ChangeStreamOptions,
  ) {}

  async start(): Promise<void> {
    this.cursor = encodeChangeCursor(await currentPosition(this.store));
    try {
      this.unlisten = await this.store.listen(CHANGES_CHANNEL, () => this.kick(), (error) => this.options.logger.warn({ err: error }, 'change notifications lost; polling meanwhile'));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot listen for change notifications: polling only');
    }
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.reading;
  }

  /** Something was committed (a notification, a write of this process): read the feed now. */
  kick(): void {
    for (const wake of this.wakers) wake();
    void this.read();
  }

  /** Called on every notification (the webhook dispatcher wakes up on it). */
  onWake(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  private read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          if (this.stopped || this.cursor === undefined) return;
          // Nobody subscribed: no record is read, the cursor just moves to now (a big import would otherwise
          // have every instance read every record it wrote).
          if (this.listeners.size === 0) {
            this.cursor = encodeChangeCursor(await currentPosition(this.store));
            continue;
          }
          for (;;) {
            const page = await readChangeFeed(this.store, { since: this.cursor, first: 500, hiddenSources: this.options.restrictedSources, freshness: this.options.freshness ?? DEFAULT_FRESHNESS });
            for (const change of page.changes) for (const listener of this.listeners) listener(change);
            this.cursor = page.endCursor;
            if (!page.hasMore) break;
          }
        } while (this.again && !this.stopped);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'reading the change feed for subscriptions failed; next try at the next notification or poll');
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  /** The changes from now on, as an async iterator (one per subscription); `return()` ends it. */
  subscribe(accept: (change: FeedChange) => boolean = () => true): AsyncIterableIterator<FeedChange> {
    const queue: FeedChange[] = [];
    let waiting: ((result: IteratorResult<FeedChange>) => void) | undefined;
    let done = false;
    const end = () => {
      done = true;
      this.listeners.delete(listener);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    };
    const listener: Listener = (change) => {
      if (done || !accept(change)) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: change, done: false });
      } else if (queue.length < MAX_QUEUED) queue.push(change);
      else end();
    };
    this.listeners.add(listener);
    return {
      next: () => {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: () => {
        end();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (error?: unknown) => {
        end();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
