import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** `passerelle harvest <partner-id> [--max-pages N] [--delete-after-passes N]`. */
export function registerHarvest(program: Command, context: CliContext): void {
  program
    .command('harvest')
    .description(
      "pull a declared partner's whole dataset into the store, page by page; resumes an interrupted run, " +
        'writes only what changed, and deletes what the partner no longer lists once N complete passes in a row missed it',
    )
    .argument('<partner-id>', 'the id of a partner of passerelle.config.json')
    .option('--max-pages <n>', 'stop after N pages (the run stays resumable)', positiveInteger)
    .option(
      '--delete-after-passes <n>',
      "delete a record once N consecutive complete passes have not listed it (default: the partner's deleteAfterPasses, or 2)",
      positiveInteger,
    )
    .action((partner: string, options: { maxPages?: number; deleteAfterPasses?: number }) =>
      context.execute('harvest', {
        partner,
        ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
        ...(options.deleteAfterPasses === undefined ? {} : { deleteAfterPasses: options.deleteAfterPasses }),
      }),
    );
}
