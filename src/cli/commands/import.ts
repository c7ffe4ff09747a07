import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

function kind(value: string): 'structure' | 'service' {
  const normalised = value.trim().toLowerCase().replace(/s$/, '');
  if (normalised === 'structure' || normalised === 'service') return normalised;
  throw new InvalidArgumentError('must be structures or services');
}

interface ImportCommandOptions {
  source: string;
  sourceName?: string;
  dryRun?: boolean;
  report?: string;
  kind?: 'structure' | 'service';
  format?: string;
  batchSize?: number;
}

/** `passerelle import <file> --source SLUG [--source-name NAME] [--dry-run] [--report report.json]`. */
export function registerImport(program: Command, context: CliContext): void {
  program
    .command('import')
    .description(
      "import a producer's file in the data·inclusion v1 schema (JSON, NDJSON, CSV, XLSX incl. the reference's template): " +
        'every row validated, valid rows upserted in batches (idempotent), a report of each problem; exits 1 when a row is rejected',
    )
    .argument('<file>', 'a .json, .ndjson (.jsonl), .csv or .xlsx file')
    .requiredOption('--source <slug>', "the producer's source slug: every row's source (filled when absent) and the ids' prefix")
    .option('--source-name <name>', 'registers the source under this name when the store does not know it yet')
    .option('--dry-run', 'validate and report; write nothing')
    .option('--report <file>', 'write the full report (JSON) to this file')
    .option('--kind <kind>', 'structures or services: the kind of every record of a CSV or NDJSON file (default: a structure_id column or key means services)', kind)
    .option('--format <format>', 'json, ndjson, csv or xlsx (default: by the extension)')
    .option('--batch-size <n>', 'rows per transaction (default 1000)', positiveInteger)
    .action((file: string, options: ImportCommandOptions) =>
      // Paths are made absolute here: through a running server's socket, the server process reads and writes them.
      context.execute('import', {
        file: path.resolve(file),
        source: options.source,
        ...(options.sourceName === undefined ? {} : { sourceName: options.sourceName }),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.report === undefined ? {} : { report: path.resolve(options.report) }),
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      }),
    );
}
