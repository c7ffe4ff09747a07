import { z } from 'zod';
import { InputError } from '../errors';
import { addWebhook, listWebhooks, removeWebhook, replayWebhook, retryWebhook } from '../webhooks/endpoints';
import type { Operation } from './types';

/**
 * `passerelle webhooks add | list | remove | retry | replay`: reusers' webhooks (src/webhooks/), as operations so
 * that they run locally or through the server that holds the embedded store.
 */

function parse<T>(schema: z.ZodType<T>, args: unknown, operation: string): T {
  const result = schema.safeParse(args);
  if (!result.success) throw new InputError(`${operation}: ${result.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
  return result.data;
}

const AddArgs = z.object({
  client: z.string().min(1, 'a client id is needed (--client)'),
  url: z.string().min(1, 'a URL is needed (--url)'),
  filter: z.string().optional(),
  secret: z.string().optional(),
});

export const webhooksAdd: Operation<z.infer<typeof AddArgs>> = {
  migrate: true,
  async run({ store, config }, args) {
    const { client, url, filter, secret } = parse(AddArgs, args, 'webhooks add');
    let parsed: unknown = {};
    if (filter !== undefined) {
      try {
        parsed = JSON.parse(filter);
      } catch {
        throw new InputError(`--filter is not JSON: ${filter.slice(0, 100)}`);
      }
    }
    const added = await addWebhook(store, { clientId: client, url, filter: parsed, secret, allowPrivate: config.webhooks.allowPrivate });
    return {
      lines: [
        `added webhook ${added.webhook.id} for client ${client}: ${added.webhook.url} (filter ${JSON.stringify(added.webhook.filter)})`,
        `secret: ${added.secret}`,
        'the secret is shown only now: the receiver checks Passerelle-Signature with it (README, "Webhooks")',
      ],
    };
  },
};

const ListArgs = z.object({ client: z.string().optional() });

export const webhooksList: Operation<z.infer<typeof ListArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { client } = parse(ListArgs, args ?? {}, 'webhooks list');
    const hooks = await listWebhooks(store, client);
    if (!hooks.length) return { lines: ['no webhook'] };
    const header = ['ID', 'CLIENT', 'STATE', 'FAILURES', 'URL', 'FILTER', 'CURSOR', 'LAST ERROR'];
    const rows = hooks.map((h) => [h.id, h.clientId, h.state, String(h.failures), h.url, JSON.stringify(h.filter), h.cursor ?? '-', h.lastError ?? '-']);
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
    return { lines: [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()) };
  },
};

const IdArgs = z.object({ id: z.string().min(1, 'a webhook id is needed') });

export const webhooksRemove: Operation<z.infer<typeof IdArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { id } = parse(IdArgs, args, 'webhooks remove');
    if (!(await removeWebhook(store, id))) throw new InputError(`no webhook ${id} (see \`passerelle webhooks list\`)`);
    return { lines: [`removed webhook ${id}`] };
  },
};

export const webhooksRetry: Operation<z.infer<typeof IdArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { id } = parse(IdArgs, args, 'webhooks retry');
    const hook = await retryWebhook(store, id);
    return { lines: [`webhook ${id} is active again; deliveries resume after ${hook.cursor ?? 'the start of the change feed'}`] };
  },
};

const ReplayArgs = z.object({ id: z.string().min(1, 'a webhook id is needed'), since: z.string().min(1, 'a change feed cursor is needed (--since), or "start"') });

export const webhooksReplay: Operation<z.infer<typeof ReplayArgs>> = {
  migrate: true,
  async run({ store }, args) {
    const { id, since } = parse(ReplayArgs, args, 'webhooks replay');
    await replayWebhook(store, id, since);
    return { lines: [`webhook ${id} will deliver again every matching change after ${since}`] };
  },
};
