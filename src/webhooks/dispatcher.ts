// Webhook delivery (issue 16). Every instance runs a dispatcher; each endpoint is delivered by one instance at a
// time, the one holding its lease, so that an event is not sent once per instance:
// - claiming is one UPDATE … WHERE the lease is free … RETURNING: of two instances asking at once, PostgreSQL
//   (or PGlite) lets exactly one row update happen; the other gets no row and moves on;
// - every step after that (cursor moved, failure counted, lease released) is an UPDATE fenced by
//   `lease_owner = me`: an instance whose lease ran out (a receiver slower than the lease) finds it can no longer
//   write and stops, instead of moving a cursor another instance now owns.
// An endpoint gets the changes of the feed after its cursor, in commit order, one at a time: the next change is
// sent only once the previous one was acknowledged (2xx). A failure (no answer, timeout, any other status)
// leaves the cursor where it is and waits PASSERELLE_WEBHOOK_RETRY_BASE_MS × 2^(failures−1) (at most an hour);
// after PASSERELLE_WEBHOOK_MAX_ATTEMPTS failures in a row the endpoint is dead — its cursor is kept, nothing is
// lost, and `passerelle webhooks retry ID` resumes it. Delivery is at least once: a receiver that acknowledged
// a change just before an instance crashed may get it again, with the same Passerelle-Delivery id (its
// idempotency key).
//
// What a webhook carries is the change feed's public record (no contact field, no restricted source), whatever
// the client's scopes: a payload travels to a URL and sits in a receiver's logs, so it carries only what anyone
// may download from the exports.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import type { WebhookSettings } from '../config';
import type { Logger } from '../logger';
import { readChangeFeed, type FeedChange } from '../exports/change-feed';
import { ChangeCursorError } from '../store/changes';
import type { Store } from '../store/database';
import type { FreshnessThresholds } from '../quality/freshness';
import { DEFAULT_FRESHNESS } from '../quality/freshness';
import { deliveryId } from './endpoints';
import { matchesFilter, type ChangeFilter } from './filter';
import { signatureHeader } from './signature';
import { guardedLookup, isPrivateAddress } from './ssrf';

export interface DispatcherOptions {
  settings: WebhookSettings;
  restrictedSources: readonly string[];
  freshness?: FreshnessThresholds;
  logger: Logger;
}

interface ClaimedEndpoint {
  id: string;
  url: string;
  filter: ChangeFilter;
  secret: string;
  cursor: string | null;
  failures: number;
}

/** The JSON body of one delivery. */
export interface WebhookEvent {
  /** The delivery id (also the Passerelle-Delivery header): the same on every attempt at this change. */
  id: string;
  type: 'offer.changed';
  webhook: string;
  /** The change's cursor: `passerelle webhooks replay ID --since CURSOR` redelivers what follows it. */
  cursor: string;
  entity: 'structure' | 'service';
  recordId: string;
  source: string;
  /** `UPSERT` (created or updated: `record` is its state) or `DELETE` (record null). */
  operation: 'UPSERT' | 'DELETE';
  /** `created`, `updated` or `deleted`. */
  action: 'created' | 'updated' | 'deleted';
  changedAt: string;
  record: Record<string, unknown> | null;
}

const PAGE = 100;
const MAX_BACKOFF_MS = 3_600_000;
/** Days of delivery attempts kept for the operator. */
const DELIVERY_LOG_DAYS = 30;

export class WebhookDispatcher {
  /** This instance's name in `lease_owner`. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly leaseSeconds: number;
  private prunedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly options: DispatcherOptions,
  ) {
    this.leaseSeconds = Math.max(60, Math.ceil((options.settings.timeoutMs * 3) / 1000));
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.tick().finally(loop);
      }, this.options.settings.pollMs);
      this.timer.unref();
    };
    loop();
  }

  /** Looks for changes now (after a write in this process, or a notification from another instance). */
  kick(): void {
    if (!this.stopped) void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round: every due endpoint whose lease is free, delivered in turn. Concurrent calls run one round more. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pruneDeliveries();
          const due = await this.store.query<{ id: string }>(Prisma.sql`
            SELECT w.id FROM webhook_endpoints w JOIN api_clients c ON c.id = w.client_id AND c.revoked_at IS NULL
            WHERE w.state = 'active' AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= now())
              AND (w.lease_until IS NULL OR w.lease_until < now())
            ORDER BY w.created_at`);
          for (const { id } of due) {
            if (this.stopped) return;
            await this.serve(id);
          }
        } while (this.again && !this.stopped);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'webhook dispatch failed; next round in a moment');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The delivery log keeps DELIVERY_LOG_DAYS days (checked at most once an hour per instance). */
  private async pruneDeliveries(): Promise<void> {
    if (Date.now() - this.prunedAt < 3_600_000) return;
    this.prunedAt = Date.now();
    await this.store.prisma.$executeRaw(Prisma.sql`DELETE FROM webhook_deliveries WHERE attempted_at < now() - make_interval(days => ${DELIVERY_LOG_DAYS})`);
  }

  private async claim(id: string): Promise<ClaimedEndpoint | undefined> {
    const rows = await this.store.query<ClaimedEndpoint>(Prisma.sql`
      UPDATE webhook_endpoints SET lease_owner = ${this.owner}, lease_until = now() + make_interval(secs => ${this.leaseSeconds})
      WHERE id = ${id} AND state = 'active' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
        AND (lease_until IS NULL OR lease_until < now())
        -- A revoked client's endpoints stop with its tokens.
        AND EXISTS (SELECT 1 FROM api_clients c WHERE c.id = webhook_endpoints.client_id AND c.revoked_at IS NULL)
      RETURNING id, url, filter, secret, cursor, failures`);
    return rows[0];
  }

  /** Moves the cursor (and renews the lease); false when this instance no longer holds the lease. */
  private async advance(id: string, cursor: string): Promise<boolean> {
    const updated = await this.store.prisma.$executeRaw(Prisma.sql`
      UPDATE webhook_endpoints SET cursor = ${cursor}, failures = 0, next_attempt_at = NULL, last_error = NULL,
        lease_until = now() + make_interval(secs => ${this.leaseSeconds})
      WHERE id = ${id} AND lease_owner = ${this.owner}`);
    return updated > 0;
  }

  private async release(id: string): Promise<void> {
    await this.store.prisma.$executeRaw(Prisma.sql`UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE id = ${id} AND lease_owner = ${this.owner}`);
  }

  private async fail(endpoint: ClaimedEndpoint, error: string): Promise<void> {
    const failures = endpoint.failures + 1;
    const dead = failures >= this.options.settings.maxAttempts;
    const delayMs = Math.min(MAX_BACKOFF_MS, this.options.settings.retryBaseMs * 2 ** (failures - 1));
    await this.store.prisma.$executeRaw(Prisma.sql`
      UPDATE webhook_endpoints SET failures = ${failures}, last_error = ${error.slice(0, 500)},
        state = ${dead ? 'dead' : 'active'},
        next_attempt_at = ${dead ? null : new Date(Date.now() + delayMs)}
      WHERE id = ${endpoint.id} AND lease_owner = ${this.owner}`);
    endpoint.failures = failures;
    this.options.logger[dead ? 'error' : 'warn']({ webhook: endpoint.id, failures, dead, error: error.slice(0, 200) }, dead ? 'webhook dead: its deliveries stopped (passerelle webhooks retry ID resumes it)' : 'webhook delivery failed; retrying later');
  }

  private async serve(id: string): Promise<void> {
    const endpoint = await this.claim(id);
    if (!endpoint) return;
    try {
      let cursor = endpoint.cursor ?? undefined;
      for (let pages = 0; pages < 10 && !this.stopped; pages++) {
        let page;
        try {
          page = await readChangeFeed(this.store, { since: cursor, first: PAGE, hiddenSources: this.options.restrictedSources, freshness: this.options.freshness ?? DEFAULT_FRESHNESS });
        } catch (error) {
          if (error instanceof ChangeCursorError) {
            await this.fail({ ...endpoint, failures: this.options.settings.maxAttempts }, `cursor: ${error.message}`);
            return;
          }
          throw error;
        }
        let skipped = false;
        for (const change of page.changes) {
          if (!matchesFilter(endpoint.filter, change)) {
            skipped = true;
            cursor = change.cursor;
            continue;
          }
          // Changes skipped by the filter before this one are behind the cursor for good.
          if (skipped && !(await this.advance(endpoint.id, cursor!))) return;
          skipped = false;
          const delivered = await this.deliver(endpoint, change);
          if (!delivered) return;
          cursor = change.cursor;
          if (!(await this.advance(endpoint.id, cursor))) return;
        }
        if (skipped && !(await this.advance(endpoint.id, cursor!))) return;
        if (!page.hasMore) return;
      }
    } finally {
      await this.release(id).catch(() => undefined);
    }
  }

  /** One POST; true when the receiver answered 2xx. Every attempt is recorded in webhook_deliveries. */
  private async deliver(endpoint: ClaimedEndpoint, change: FeedChange): Promise<boolean> {
    const id = deliveryId(endpoint.id, change.cursor);
    const event: WebhookEvent = {
      id,
      type: 'offer.changed',
      webhook: endpoint.id,
      cursor: change.cursor,
      entity: change.entity,
      recordId: change.id,
      source: change.source,
      operation: change.operation,
      action: change.action,
      changedAt: change.changedAt.toISOString(),
      record: change.record,
    };
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | undefined;
    let error: string | undefined;
    try {
      status = await post(endpoint.url, body, {
        'content-type': 'application/json',
        'user-agent': 'Passerelle-Webhooks/1',
        'passerelle-delivery': id,
        'passerelle-timestamp': String(timestamp),
        'passerelle-signature': signatureHeader(endpoint.secret, body, timestamp),
      }, this.options.settings);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    await this.store.prisma.webhookDelivery.create({
      data: { endpointId: endpoint.id, deliveryId: id, cursor: change.cursor, attempt: endpoint.failures + 1, status: status ?? null, error: error?.slice(0, 500) ?? null },
    });
    if (error === undefined) return true;
    await this.fail(endpoint, error);
    return false;
  }
}

/** POSTs the body and resolves with the status; the connection goes through the SSRF guard's lookup. */
function post(target: string, body: string, headers: Record<string, string>, settings: WebhookSettings): Promise<number> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An IP literal never goes through `lookup`: checked here.
  if (!settings.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    return Promise.reject(new Error(`${host} is a loopback or private address: refused`));
  }
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: settings.timeoutMs, lookup: guardedLookup(settings.allowPrivate) as never, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
