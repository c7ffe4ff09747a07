import type { Command } from 'commander';
import type { CliContext } from '../context';

/** `passerelle webhooks add | list | remove | retry | replay`: changes pushed to reusers' endpoints. */
export function registerWebhooks(program: Command, context: CliContext): void {
  const webhooks = program.command('webhooks').description('reusers\' webhooks: signed POSTs of the changes that match a filter');

  webhooks
    .command('add')
    .requiredOption('--client <id>', 'the client the endpoint belongs to')
    .requiredOption('--url <url>', 'where to POST (http or https; private addresses refused unless PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true)')
    .option('--filter <json>', 'which changes: {"sources":[…],"codeDepartement":"59","codeCommune":"59350","thematiques":["mobilite"],"entities":["service"]}')
    .option('--secret <secret>', 'the signing secret (default: a new random one, printed once)')
    .description('register an endpoint; it hears of changes from now on')
    .action((options: { client: string; url: string; filter?: string; secret?: string }) => context.execute('webhooks.add', options));

  webhooks
    .command('list')
    .option('--client <id>', 'only this client\'s')
    .description('every endpoint: state (active | dead), failures in a row, cursor, last error')
    .action((options: { client?: string }) => context.execute('webhooks.list', options));

  webhooks
    .command('remove')
    .argument('<id>', 'the webhook id')
    .description('remove an endpoint')
    .action((id: string) => context.execute('webhooks.remove', { id }));

  webhooks
    .command('retry')
    .argument('<id>', 'the webhook id')
    .description('resume a dead endpoint (or one waiting to retry) now, from its cursor')
    .action((id: string) => context.execute('webhooks.retry', { id }));

  webhooks
    .command('replay')
    .argument('<id>', 'the webhook id')
    .requiredOption('--since <cursor>', 'a change feed cursor (a delivery\'s `cursor`), or "start"')
    .description('deliver again every matching change after a cursor')
    .action((id: string, options: { since: string }) => context.execute('webhooks.replay', { id, since: options.since }));
}
