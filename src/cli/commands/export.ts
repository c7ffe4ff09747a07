import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context';

const FORMATS = ['csv', 'json', 'geojson', 'parquet', 'xlsx', 'ndjson', 'hsds', 'all'];

function format(value: string): string {
  const normalised = value.trim().toLowerCase();
  if (!FORMATS.includes(normalised)) throw new InvalidArgumentError(`must be one of ${FORMATS.join(', ')}`);
  return normalised;
}

interface ExportCommandOptions {
  format: string;
  out: string;
  source?: string;
  departement?: string;
  region?: string;
  updatedSince?: string;
}

/** `passerelle export --format <fmt|all> --out DIR [--source …] [--departement …] [--region …] [--updated-since …]`. */
export function registerExport(program: Command, context: CliContext): void {
  program
    .command('export')
    .description(
      'write the public offer as open-data files (structures-inclusion-YYYY-MM-DD.<ext> and services-inclusion-YYYY-MM-DD.<ext>), ' +
        'the same files GET /exports/… serves: no contact field, no restricted source',
    )
    .requiredOption('--format <format>', `${FORMATS.join(', ')}`, format)
    .requiredOption('--out <dir>', 'the folder to write the files to (created if missing)')
    .option('--source <slugs>', 'only these sources (comma-separated)')
    .option('--departement <code>', 'only this département')
    .option('--region <code>', 'only this région')
    .option('--updated-since <date>', 'only records changed in Passerelle since this date or instant')
    .action((options: ExportCommandOptions) =>
      // The folder is made absolute here: through a running server's socket, the server process writes the files.
      context.execute('export', {
        format: options.format,
        out: path.resolve(options.out),
        ...(options.source === undefined ? {} : { source: options.source }),
        ...(options.departement === undefined ? {} : { departement: options.departement }),
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.updatedSince === undefined ? {} : { updatedSince: options.updatedSince }),
      }),
    );
}
