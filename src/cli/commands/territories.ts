import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context';

/** `passerelle territories import` and `passerelle territories import-centres FILE.csv`. */
export function registerTerritories(program: Command, context: CliContext): void {
  const territories = program.command('territories').description('French territories reference (régions, départements, EPCI, communes)');

  territories
    .command('import')
    .description('load or refresh the territories from the registry packages (idempotent)')
    .action(() => context.execute('territories.import'));

  territories
    .command('import-centres')
    .argument('<file>', 'CSV file with the header code_insee,latitude,longitude')
    .description('set official commune centres from a CSV file (all rows valid, or nothing written)')
    .action((file: string) => context.execute('territories.import-centres', { file: path.resolve(file) }));
}
