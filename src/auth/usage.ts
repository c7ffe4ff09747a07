import type { Store } from '../store/database';

interface Pending {
  count: number;
  lastSeen: Date;
}

export interface UsageRecorderOptions {
  /** Seconds between automatic flushes (default 10); 0: no timer, flush() only. */
  flushIntervalSeconds?: number;
  /** Called when an automatic flush fails (its counts are kept for the next flush). */
  onError?: (error: unknown) => void;
}

const FLUSH_SQL = `
UPDATE api_clients c
SET request_count = c.request_count + v.n,
    last_seen_at = greatest(c.last_seen_at, v.last_seen)
FROM json_to_recordset($1::json) AS v(id text, n int, last_seen timestamptz)
WHERE c.id = v.id`;

/**
 * Counts authenticated requests per client in memory, and writes them in one statement per flush (every
 * few seconds, and on close): a busy API costs the store one UPDATE per interval, not one per request.
 */
export class UsageRecorder {
  private pending = new Map<string, Pending>();
  private readonly timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    options: UsageRecorderOptions = {},
  ) {
    const seconds = options.flushIntervalSeconds ?? 10;
    if (seconds > 0) {
      this.timer = setInterval(() => {
        this.flush().catch((error: unknown) => options.onError?.(error));
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  /** One request by this client, now. */
  record(clientId: string, at: Date = new Date()): void {
    this.add(clientId, 1, at);
  }

  /** Requests counted and not yet written. */
  get pendingCount(): number {
    let total = 0;
    for (const p of this.pending.values()) total += p.count;
    return total;
  }

  private add(clientId: string, count: number, at: Date): void {
    const entry = this.pending.get(clientId);
    if (!entry) this.pending.set(clientId, { count, lastSeen: at });
    else {
      entry.count += count;
      if (at > entry.lastSeen) entry.lastSeen = at;
    }
  }

  /** Writes every pending count and last-seen instant in one statement; nothing when nothing is pending. */
  flush(): Promise<void> {
    // Flushes run one after another, so that counts taken back after a failure are never lost.
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([id, p]) => ({ id, n: p.count, last_seen: p.lastSeen.toISOString() }));
    try {
      await this.store.prisma.$executeRawUnsafe(FLUSH_SQL, JSON.stringify(rows));
    } catch (error) {
      for (const [id, p] of batch) this.add(id, p.count, p.lastSeen);
      throw error;
    }
  }
}
