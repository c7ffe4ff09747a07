import { InputError } from '../errors';
import { createLogger } from '../logger';
import { loadPartnersConfig } from '../partners/config';
import { harvest as harvestPartner, type HarvestResult } from '../partners/harvest';
import { createTransport } from '../partners/http';
import { createConnector } from '../partners';
import { createProgress } from './progress';
import type { Operation } from './types';

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** The one-line summary of a harvest (per-page detail goes to the logs). */
export function harvestSummary(partnerId: string, r: HarvestResult): string {
  const start = r.resumed ? `resumed at ${r.startMark === undefined ? 'the first page' : `mark ${r.startMark}`}, ` : '';
  let line =
    `harvest ${partnerId}: ${start}${plural(r.pages, 'page')}, ${plural(r.structures, 'structure')}, ${plural(r.services, 'service')} ` +
    `(${count(r.written.structures)} structures and ${count(r.written.services)} services written, ` +
    `${count(r.structures + r.services - r.written.structures - r.written.services)} unchanged)`;
  const skipped = r.skipped.otherSource + r.skipped.missingStructure;
  if (r.skipped.missingStructure) line += `; ${plural(r.skipped.missingStructure, 'service')} skipped (structure unknown, see the logs)`;
  else if (skipped) line += `; ${count(skipped)} records of other sources left out`;
  if (r.complete) {
    line +=
      r.deleted.structures || r.deleted.services
        ? `; ${plural(r.deleted.structures, 'structure')} and ${plural(r.deleted.services, 'service')} deleted (not listed any more)`
        : '; nothing deleted';
    const pending = r.pendingDeletion.structures + r.pendingDeletion.services;
    if (pending) {
      line += `; ${plural(r.pendingDeletion.structures, 'structure')} and ${plural(r.pendingDeletion.services, 'service')} not listed, kept until more passes miss them`;
    }
  } else {
    line += `; not complete yet (run ${plural(r.run.pages, 'page')} so far): run the command again to continue`;
  }
  return line;
}

/** `harvest`: pulls one declared partner's whole dataset into the store (resumable, idempotent). */
export const harvest: Operation<{ partner: string; maxPages?: number; deleteAfterPasses?: number }> = {
  migrate: true,
  async run({ store, config }, args) {
    // Read here, in the process that runs the operation (the server's, when routed through its socket).
    const partners = loadPartnersConfig();
    const partner = partners.find((p) => p.id === args.partner);
    if (!partner) {
      const known = partners.map((p) => p.id);
      throw new InputError(
        `unknown partner "${args.partner}": ${known.length ? `declared partners are ${known.join(', ')}` : 'no partner is declared (see passerelle.config.json)'}`,
      );
    }
    const logger = createLogger(config.logLevel, process.stderr);
    const connector = createConnector(partner, createTransport(partner, { logger }), logger);
    const progress = createProgress({ label: `harvest ${partner.id}`, unit: 'records', total: args.maxPages });
    const result = await harvestPartner(store, connector, {
      logger,
      maxPages: args.maxPages,
      // The command's option, else the partner's own setting, else the default.
      deleteAfterPasses: args.deleteAfterPasses ?? partner.deleteAfterPasses,
      onPage: ({ pages, records }) => progress.update(pages, records),
    }).finally(() => progress.stop());
    return { lines: [harvestSummary(partner.id, result)] };
  },
};
