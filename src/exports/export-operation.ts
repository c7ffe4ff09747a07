import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { parisDate } from '../quality/freshness';
import type { Config } from '../config';
import type { Store } from '../store/database';
import { hsdsZipName, writeHsdsPackage, zipHsdsPackage } from './hsds';
import { EXPORT_FORMATS, exportFileName, type ExportFormat } from './formats';
import { writeStoreExport } from './store-export';
import { EXPORT_ENTITIES, parseExportFilters, ExportFilterError } from './public-records';

export interface ExportArgs {
  /** One format, `hsds` (the Open Referral package, in DIR/hsds/), or `all` (every file format). */
  format: ExportFormat | 'hsds' | 'all';
  /** An absolute path (the CLI resolves it): the process that runs the operation writes there. */
  out: string;
  source?: string;
  departement?: string;
  region?: string;
  updatedSince?: string;
}

/**
 * `export`: the files `GET /exports/…` serves, written to a folder for publication on an open-data portal
 * (`structures-inclusion-YYYY-MM-DD.<ext>`, `services-inclusion-YYYY-MM-DD.<ext>`). Same records, same bytes
 * layout; each file is written beside its final name and renamed once complete.
 */
// Shaped as an Operation (src/operations/types.ts) without importing it: src/operations imports this folder.
export const exportOperation = {
  migrate: true,
  async run({ store, config }: { store: Store; config: Config }, args: ExportArgs): Promise<{ lines: string[] }> {
    if (!path.isAbsolute(args.out)) throw new InputError(`the output folder must be an absolute path (got ${args.out})`);
    const hsds = args.format === 'hsds';
    const formats = args.format === 'all' ? EXPORT_FORMATS : hsds ? [] : [args.format as ExportFormat];
    for (const format of formats) if (!EXPORT_FORMATS.includes(format)) throw new InputError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, hsds or all (got ${format})`);
    const params = new URLSearchParams();
    for (const name of ['source', 'departement', 'region', 'updatedSince'] as const) if (args[name] !== undefined) params.set(name, args[name]!);
    let filters;
    try {
      filters = parseExportFilters(params);
    } catch (error) {
      if (error instanceof ExportFilterError) throw new InputError(`--${error.message}`);
      throw error;
    }
    fs.mkdirSync(args.out, { recursive: true });
    const generatedAt = new Date();
    const day = parisDate(generatedAt);
    const lines: string[] = [];
    for (const format of formats) {
      for (const entity of EXPORT_ENTITIES) {
        const file = path.join(args.out, exportFileName(entity, format, day));
        const partial = `${file}.partial`;
        const started = performance.now();
        const options = { restrictedSources: config.restrictedSources, freshness: config.freshness, generatedAt };
        const rows = await writeStoreExport(store, entity, format, filters, fs.createWriteStream(partial), options);
        fs.renameSync(partial, file);
        const seconds = (performance.now() - started) / 1000;
        lines.push(`${file}: ${rows.toLocaleString('en')} rows, ${fs.statSync(file).size.toLocaleString('en')} bytes in ${seconds.toFixed(1)} s`);
      }
    }
    if (hsds) {
      const written = await writeHsdsPackage(store, args.out, { filters, restrictedSources: config.restrictedSources, freshness: config.freshness, now: generatedAt });
      const rows = Object.values(written.rows).reduce((sum, n) => sum + n, 0);
      lines.push(`${written.dir}: the HSDS 3 tabular package (datapackage.json, ${Object.keys(written.rows).length} tables, ${rows.toLocaleString('en')} rows) and services.json`);
      const zip = path.join(args.out, hsdsZipName(day));
      await zipHsdsPackage(written.dir, fs.createWriteStream(`${zip}.partial`));
      fs.renameSync(`${zip}.partial`, zip);
      lines.push(`${zip}: the same package in one zip file, ${fs.statSync(zip).size.toLocaleString('en')} bytes`);
    }
    return { lines };
  },
};
