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

/**
 * The codes among these that name no territory of the reference (commune — arrondissements and former communes
 * included —, EPCI by SIREN, département) and are not France (`france`, `99100`): what an eligibility zone
 * cannot match. One statement. None while no territories are imported (nothing to judge by).
 */
export async function unknownZoneCodes(db: Pick<Prisma.TransactionClient, '$queryRawUnsafe'>, codes: readonly string[]): Promise<Set<string>> {
  const distinct = [...new Set(codes)].filter((code) => code !== 'france' && code !== '99100');
  if (!distinct.length) return new Set();
  const rows = await db.$queryRawUnsafe<{ code: string }[]>(
    `SELECT z.code FROM unnest($1::text[]) AS z(code)
     WHERE EXISTS (SELECT 1 FROM "communes")
       AND NOT EXISTS (SELECT 1 FROM "communes" c WHERE c."code" = z.code)
       AND NOT EXISTS (SELECT 1 FROM "epcis" e WHERE e."code" = z.code)
       AND NOT EXISTS (SELECT 1 FROM "departements" d WHERE d."code" = z.code)`,
    distinct,
  );
  return new Set(rows.map((row) => row.code));
}
