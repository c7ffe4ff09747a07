import type { Command } from 'commander';
import type { CliContext } from '../context';

/** `a,b` (and repeated options) → `[a, b]`. */
export function commaList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** `passerelle clients add | list | revoke | usage`: the API's reusers. */
export function registerClients(program: Command, context: CliContext): void {
  const clients = program.command('clients').description('API reusers (clients): their allowed scopes and restricted sources');

  clients
    .command('add')
    .argument('<id>', 'a slug, e.g. dora-front')
    .requiredOption('--name <name>', 'who the client is')
    .option('--email <email>', 'whom to contact about it')
    .option('--scopes <scopes>', 'scopes its tokens may carry, comma-separated (contact:read, import: write its --sources through the push API)', commaList)
    .option('--sources <sources>', 'restricted sources it may see, comma-separated source slugs (e.g. soliguide)', commaList)
    .option('--origins <origins>', "origins whose pages may use its tokens (the search widget's), comma-separated, e.g. https://www.example.org", commaList)
    .description('register a client')
    .action((id: string, options: { name: string; email?: string; scopes?: string[]; sources?: string[]; origins?: string[] }) =>
      context.execute('clients.add', { id, name: options.name, email: options.email, scopes: options.scopes, sources: options.sources, origins: options.origins }),
    );

  clients
    .command('list')
    .description('one line per client: id, name, scopes, sources, created, revoked')
    .action(() => context.execute('clients.list'));

  clients
    .command('revoke')
    .argument('<id>', 'the client id')
    .description('revoke a client: none of its tokens authenticates any more (within PASSERELLE_REVOCATION_CACHE_SECONDS)')
    .action((id: string) => context.execute('clients.revoke', { id }));

  clients
    .command('usage')
    .description('requests per client and when each was last seen')
    .action(() => context.execute('clients.usage'));
}
