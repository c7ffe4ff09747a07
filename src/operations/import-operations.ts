import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { importFile, summaryLines } from '../ingest/import';
import type { Kind } from '../ingest/import/report';
import { createProgress } from './progress';
import type { Operation } from './types';

export interface ImportArgs {
  /** An absolute path (the CLI resolves it): the process that runs the operation reads it. */
  file: string;
  source: string;
  sourceName?: string;
  dryRun?: boolean;
  kind?: Kind;
  format?: string;
  batchSize?: number;
  /** Where to write the report (JSON), an absolute path. */
  report?: string;
}

/** `import`: a producer's file into the store; exit code 1 when any row was rejected or the file is broken. */
export const importOperation: Operation<ImportArgs> = {
  migrate: true,
  async run({ store }, args) {
    if (!path.isAbsolute(args.file)) throw new InputError(`the file path must be absolute (got ${args.file})`);
    const progress = createProgress({ label: `import ${path.basename(args.file)}`, unit: 'rows' });
    let report;
    try {
      report = await importFile(store, args.file, {
        source: args.source,
        sourceName: args.sourceName,
        dryRun: args.dryRun,
        kind: args.kind,
        format: args.format,
        batchSize: args.batchSize,
        onProgress: ({ done, total, rows }) => progress.update(done, rows, total),
      });
    } finally {
      progress.stop();
    }
    if (args.report) fs.writeFileSync(args.report, `${JSON.stringify(report, null, 2)}\n`);
    // An error is a rejected row or a problem of the whole file (a truncated JSON, no Structures/Services sheet).
    const failed = report.summary.rejected > 0 || report.summary.errors > 0;
    return { lines: summaryLines(report, { reportFile: args.report }), exitCode: failed ? 1 : 0 };
  },
};
