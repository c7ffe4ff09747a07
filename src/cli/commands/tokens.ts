import type { Command } from 'commander';
import type { CliContext } from '../context';
import { commaList } from './clients';

/** `passerelle tokens issue | list | revoke`: reusers' tokens (JWT). */
export function registerTokens(program: Command, context: CliContext): void {
  const tokens = program.command('tokens').description('reusers’ tokens (signed JWTs, recorded so that they can be revoked)');

  tokens
    .command('issue')
    .requiredOption('--client <id>', 'the client the token is for')
    .option('--scope <scopes>', 'scopes the token carries (allowed to the client), comma-separated or repeated', commaList)
    .option('--ttl <duration>', 'lifetime, e.g. 90d, 12h, 30m (default PASSERELLE_TOKEN_DEFAULT_TTL, at most PASSERELLE_TOKEN_MAX_TTL)')
    .description('issue a token and print it on stdout (and nothing else)')
    .action((options: { client: string; scope?: string[]; ttl?: string }) =>
      context.execute('tokens.issue', { client: options.client, scopes: options.scope, ttl: options.ttl }),
    );

  tokens
    .command('list')
    .option('--client <id>', 'only this client’s tokens')
    .description('one line per token: jti, client, scopes, issued, expires, revoked')
    .action((options: { client?: string }) => context.execute('tokens.list', { client: options.client }));

  tokens
    .command('revoke')
    .argument('<jti>', 'the token id (see tokens list)')
    .description('revoke a token (takes effect within PASSERELLE_REVOCATION_CACHE_SECONDS)')
    .action((jti: string) => context.execute('tokens.revoke', { jti }));
}
