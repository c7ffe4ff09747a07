import { Prisma } from '../generated/prisma/client';
import type { DedupRecord, DedupService } from '../domain/dedup';
import type { Reader } from './offer-query';
import type { Tx } from './write';

/**
 * Dedup's statements (src/dedup/): what it reads of structures and services, the `cluster_id` it writes, and
 * the members of clusters the graph reads (`Structure.doublons`, `consolide`). Every statement runs in the
 * dedup's transaction (`tx`), which holds DEDUP_LOCK so that two runs (a harvest's and the command's) do
 * not interleave their writes.
 */

/** A transaction-scoped advisory lock: one dedup writes at a time. */
export async function lockDedup(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('passerelle.dedup'))`;
}

/** A stored structure as dedup reads it, with its current cluster. */
export interface StoredDedupRecord extends DedupRecord {
  clusterId: string | null;
}

/** The blocks of changed structures: the keys src/dedup/cluster.ts blocks on, as SQL can match them. */
export interface BlockScope {
  ids: string[];
  codesInsee: string[];
  codesPostaux: string[];
  sirens: string[];
  /** The 9 digits after the national 0. */
  phones: string[];
  emails: string[];
  clusterIds: string[];
}

const RECORD = Prisma.sql`json_build_object('id', s.id, 'source', s.source, 'nom', s.nom, 'siret', s.siret, 'commune', s.commune,
  'codePostal', s.code_postal, 'codeInsee', s.code_insee, 'adresse', s.adresse, 'latitude', s.latitude, 'longitude', s.longitude,
  'telephone', s.telephone, 'courriel', s.courriel, 'doublons', s.doublons, 'clusterId', s.cluster_id)`;

async function readRecords(tx: Tx, where: Prisma.Sql): Promise<StoredDedupRecord[]> {
  // One JSON value: tens of thousands of rows cross the driver as one string.
  const [row] = await tx.$queryRaw<{ rows: StoredDedupRecord[] | null }[]>(
    Prisma.sql`SELECT json_agg(${RECORD} ORDER BY s.id) AS rows FROM structures s WHERE ${where}`,
  );
  return (row.rows ?? []).map((r) => ({ ...r, doublons: r.doublons ?? [] }));
}

/** Every structure (a full run). */
export function readAllDedupRecords(tx: Tx): Promise<StoredDedupRecord[]> {
  return readRecords(tx, Prisma.sql`TRUE`);
}

/**
 * The structures that share a block with the changed ones, or a published link, or a cluster: what an
 * incremental run re-clusters (cluster mates of those are added by a second call with their cluster ids).
 */
export function readBlockRecords(tx: Tx, scope: BlockScope): Promise<StoredDedupRecord[]> {
  const phone = Prisma.sql`right(regexp_replace(coalesce(s.telephone, ''), '\\D', '', 'g'), 9)`;
  return readRecords(
    tx,
    Prisma.sql`s.id = ANY(${scope.ids}::text[])
      OR s.doublons && ${scope.ids}::text[]
      OR s.code_insee = ANY(${scope.codesInsee}::text[])
      OR s.code_postal = ANY(${scope.codesPostaux}::text[])
      OR left(s.siret, 9) = ANY(${scope.sirens}::text[])
      OR (s.telephone IS NOT NULL AND ${phone} = ANY(${scope.phones}::text[]))
      OR lower(trim(s.courriel)) = ANY(${scope.emails}::text[])
      OR s.cluster_id = ANY(${scope.clusterIds}::text[])`,
  );
}

/** Sets `cluster_id` of these structures (null: alone); rows already right are not written. */
export async function writeStructureClusters(tx: Tx, ids: readonly string[], clusterIds: readonly (string | null)[]): Promise<number> {
  if (!ids.length) return 0;
  return tx.$executeRaw`
    UPDATE structures s SET cluster_id = v.cluster_id
    FROM unnest(${[...ids]}::text[], ${[...clusterIds]}::text[]) AS v(id, cluster_id)
    WHERE s.id = v.id AND s.cluster_id IS DISTINCT FROM v.cluster_id`;
}

/** Clears `cluster_id` of every structure not in `keep` (a full run). */
export async function clearOtherStructureClusters(tx: Tx, keep: readonly string[]): Promise<number> {
  return tx.$executeRaw`UPDATE structures SET cluster_id = NULL WHERE cluster_id IS NOT NULL AND NOT (id = ANY(${[...keep]}::text[]))`;
}

/** Clusters left with one member (its mates deleted): that member is alone. */
export async function clearLoneClusters(tx: Tx): Promise<number> {
  const structures = await tx.$executeRaw`
    UPDATE structures SET cluster_id = NULL WHERE cluster_id IN (
      SELECT cluster_id FROM structures WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) = 1)`;
  await tx.$executeRaw`
    UPDATE services SET cluster_id = NULL WHERE cluster_id IN (
      SELECT cluster_id FROM services WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) = 1)`;
  return structures;
}

/** The services of these structures, as service matching reads them. */
export async function readDedupServices(tx: Tx, structureIds: readonly string[]): Promise<DedupService[]> {
  if (!structureIds.length) return [];
  const [row] = await tx.$queryRaw<{ rows: DedupService[] | null }[]>`
    SELECT json_agg(json_build_object('id', v.id, 'structureId', v.structure_id, 'nom', v.nom, 'thematiques', v.thematiques) ORDER BY v.id) AS rows
    FROM services v WHERE v.structure_id = ANY(${[...structureIds]}::text[])`;
  return row.rows ?? [];
}

/** Sets `cluster_id` of the services of these structures: the ones given, null for the others. */
export async function writeServiceClusters(tx: Tx, structureIds: readonly string[] | 'all', clusters: ReadonlyMap<string, string>): Promise<number> {
  const ids = [...clusters.keys()];
  const cids = [...clusters.values()];
  const scope = structureIds === 'all' ? Prisma.sql`TRUE` : Prisma.sql`v.structure_id = ANY(${[...structureIds]}::text[])`;
  const cleared = await tx.$executeRaw`
    UPDATE services v SET cluster_id = NULL WHERE ${scope} AND v.cluster_id IS NOT NULL AND NOT (v.id = ANY(${ids}::text[]))`;
  const set = ids.length
    ? await tx.$executeRaw`
      UPDATE services v SET cluster_id = c.cluster_id
      FROM unnest(${ids}::text[], ${cids}::text[]) AS c(id, cluster_id)
      WHERE v.id = c.id AND v.cluster_id IS DISTINCT FROM c.cluster_id`
    : 0;
  return cleared + set;
}

/** The members of these clusters (ids only; the graph loads them as any structure, under the caller's licences). */
export function readClusterMembers(db: Reader, clusterIds: readonly string[]): Promise<{ id: string; clusterId: string }[]> {
  return db.query<{ id: string; clusterId: string }>(
    Prisma.sql`SELECT s.id, s.cluster_id AS "clusterId" FROM structures s WHERE s.cluster_id = ANY(${[...clusterIds]}::text[]) ORDER BY s.id`,
  );
}

/** Clusters and clustered structures, for the command's summary. */
export async function clusterCounts(tx: Tx): Promise<{ clusters: number; structures: number; services: number }> {
  const [row] = await tx.$queryRaw<{ clusters: number; structures: number; services: number }[]>`
    SELECT (SELECT count(DISTINCT cluster_id)::int FROM structures WHERE cluster_id IS NOT NULL) AS clusters,
           (SELECT count(*)::int FROM structures WHERE cluster_id IS NOT NULL) AS structures,
           (SELECT count(*)::int FROM services WHERE cluster_id IS NOT NULL) AS services`;
  return row;
}
