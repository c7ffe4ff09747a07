import type { Command } from 'commander';
import type { CliContext } from '../context';

/** `passerelle dedup`. */
export function registerDedup(program: Command, context: CliContext): void {
  program
    .command('dedup')
    .description(
      'cluster the structures that are the same place (and their matching services) across sources, over the whole store; ' +
        'imports and harvests re-cluster the blocks they changed by themselves',
    )
    .action(() => context.execute('dedup', {}));
}
