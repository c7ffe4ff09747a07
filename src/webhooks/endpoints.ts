// Webhook endpoints as the operator (`passerelle webhooks …`) and a reuser's client (`createWebhook`,
// `deleteWebhook`, `webhooks`) manage them. The delivery itself is src/webhooks/dispatcher.ts.
import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../errors';
import { currentPosition, decodeChangeCursor, encodeChangeCursor } from '../store/changes';
import type { Store } from '../store/database';
import { parseChangeFilter, type ChangeFilter } from './filter';
import { newSecret } from './signature';
import { checkWebhookUrl, WebhookUrlError } from './ssrf';

export interface WebhookView {
  id: string;
  clientId: string;
  url: string;
  filter: ChangeFilter;
  state: string;
  failures: number;
  cursor: string | null;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

const MAX_PER_CLIENT = 20;

const view = (row: { id: string; clientId: string; url: string; filter: unknown; state: string; failures: number; cursor: string | null; nextAttemptAt: Date | null; lastError: string | null; createdAt: Date }): WebhookView => ({
  id: row.id,
  clientId: row.clientId,
  url: row.url,
  filter: row.filter as ChangeFilter,
  state: row.state,
  failures: row.failures,
  cursor: row.cursor,
  nextAttemptAt: row.nextAttemptAt,
  lastError: row.lastError,
  createdAt: row.createdAt,
});

/** The idempotency key of one change delivered to one endpoint: the same on every attempt. */
export function deliveryId(endpointId: string, cursor: string): string {
  return `whd_${createHash('sha256').update(`${endpointId}\u0000${cursor}`).digest('hex').slice(0, 32)}`;
}

/**
 * Registers an endpoint for a client: its URL checked (http or https, not a private address unless allowed), its
 * filter checked, a secret made (or the one given), and its cursor set to now: it hears of changes from now on
 * (`replay` moves it back). Returns the endpoint and its secret, which is shown only this once.
 */
export async function addWebhook(
  store: Store,
  options: { clientId: string; url: string; filter?: unknown; secret?: string; allowPrivate: boolean },
): Promise<{ webhook: WebhookView; secret: string }> {
  const client = await store.prisma.apiClient.findUnique({ where: { id: options.clientId } });
  if (!client) throw new InputError(`no client ${options.clientId} (see \`passerelle clients list\`)`);
  if (client.revokedAt) throw new InputError(`client ${client.id} is revoked`);
  let url: URL;
  try {
    url = await checkWebhookUrl(options.url, options.allowPrivate);
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new InputError(`url: ${error.message}`);
    throw error;
  }
  const filter = parseChangeFilter(options.filter);
  if (!filter.ok) throw new InputError(`filter: ${filter.message}`);
  if (options.secret !== undefined && options.secret.length < 16) throw new InputError('secret: at least 16 characters');
  const count = await store.prisma.webhookEndpoint.count({ where: { clientId: client.id } });
  if (count >= MAX_PER_CLIENT) throw new InputError(`client ${client.id} has ${count} webhooks already (at most ${MAX_PER_CLIENT})`);
  const secret = options.secret ?? newSecret();
  const row = await store.prisma.webhookEndpoint.create({
    data: {
      id: `wh_${randomBytes(9).toString('base64url')}`,
      clientId: client.id,
      url: url.toString(),
      filter: filter.filter,
      secret,
      cursor: encodeChangeCursor(await currentPosition(store)),
    },
  });
  return { webhook: view(row), secret };
}

export async function listWebhooks(store: Store, clientId?: string): Promise<WebhookView[]> {
  const rows = await store.prisma.webhookEndpoint.findMany({ where: clientId ? { clientId } : {}, orderBy: [{ clientId: 'asc' }, { createdAt: 'asc' }] });
  return rows.map(view);
}

/** Removes an endpoint (and its delivery log); false when there is none (of this client, when given). */
export async function removeWebhook(store: Store, id: string, clientId?: string): Promise<boolean> {
  return store.prisma.$transaction(async (tx) => {
    const removed = await tx.webhookEndpoint.deleteMany({ where: { id, ...(clientId ? { clientId } : {}) } });
    if (removed.count) await tx.webhookDelivery.deleteMany({ where: { endpointId: id } });
    return removed.count > 0;
  });
}

/** A dead endpoint (or one waiting to retry) is tried again now, from where it stopped. */
export async function retryWebhook(store: Store, id: string): Promise<WebhookView> {
  const found = await store.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!found) throw new InputError(`no webhook ${id} (see \`passerelle webhooks list\`)`);
  return view(await store.prisma.webhookEndpoint.update({ where: { id }, data: { state: 'active', failures: 0, nextAttemptAt: null } }));
}

/** Moves an endpoint's cursor back (or forward) to a change feed cursor: changes after it are delivered again. */
export async function replayWebhook(store: Store, id: string, since: string): Promise<WebhookView> {
  const found = await store.prisma.webhookEndpoint.findUnique({ where: { id } });
  if (!found) throw new InputError(`no webhook ${id} (see \`passerelle webhooks list\`)`);
  if (since !== 'start' && !decodeChangeCursor(since)) throw new InputError(`--since: ${JSON.stringify(since.slice(0, 100))} is not a change feed cursor (or "start")`);
  const cursor = since === 'start' ? null : since;
  return view(await store.prisma.webhookEndpoint.update({ where: { id }, data: { cursor, state: 'active', failures: 0, nextAttemptAt: null } }));
}
