import type { Command } from 'commander';
import type { CliContext } from '../context';
import { importCentres, importTerritories } from '../../territories/import';

/** `passerelle territories import` and `passerelle territories import-centres FILE.csv`. */
export function registerTerritories(program: Command, context: CliContext): void {
  const territories = program.command('territories').description('French territories reference (régions, départements, EPCI, communes)');

  territories
    .command('import')
    .description('load or refresh the territories from the registry packages (idempotent)')
    .action(async () => {
      const started = Date.now();
      const result = await context.withStore((store) => importTerritories(store), { migrate: true });
      context.out(
        `territories: ${result.regions} régions, ${result.departements} départements, ${result.epcis} EPCI, ` +
          `${result.communes} communes; ${result.changed} rows changed (${Date.now() - started} ms)`,
      );
    });

  territories
    .command('import-centres')
    .argument('<file>', 'CSV file with the header code_insee,latitude,longitude')
    .description('set official commune centres from a CSV file (all rows valid, or nothing written)')
    .action(async (file: string) => {
      const count = await context.withStore((store) => importCentres(store, file));
      context.out(`centres: ${count} commune${count === 1 ? '' : 's'} updated`);
    });
}
