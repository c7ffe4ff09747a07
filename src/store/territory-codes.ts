import type { Prisma } from '../generated/prisma/client';

const TABLES = ['structures', 'services'] as const;

/**
 * Re-derives the territory codes kept on the offer's records (`departement_code`, `region_code`,
 * `epci_code`; see the migration `territory_codes`) where the communes say otherwise: after a territories
 * import, a commune that moved to another EPCI, or records written before their commune was known. The
 * trigger keeps them on every write of a record; this keeps them when the communes change. Returns the
 * number of records changed; runs in the caller's transaction (the communes' change and this commit together). Their `updated_at` is left alone: the producer's data did not change.
 */
export async function syncTerritoryCodes(tx: Pick<Prisma.TransactionClient, '$executeRawUnsafe'>): Promise<number> {
  let changed = 0;
  for (const table of TABLES) {
    changed += await tx.$executeRawUnsafe(`
      UPDATE "${table}" x SET "departement_code" = t."departement_code", "region_code" = t."region_code", "epci_code" = t."epci_code"
      FROM (SELECT c."code", c."departement_code", c."region_code", coalesce(c."epci_code", p."epci_code") AS "epci_code"
            FROM "communes" c LEFT JOIN "communes" p ON p."code" = c."parent_code") t
      WHERE t."code" = x."code_insee"::text
        AND (x."departement_code", x."region_code", x."epci_code") IS DISTINCT FROM (t."departement_code", t."region_code", t."epci_code")`);
  }
  return changed;
}
