import type { Store } from '../store/database';
import {
  clearLoneClusters,
  clearOtherStructureClusters,
  clusterCounts,
  lockDedup,
  readAllDedupRecords,
  readBlockRecords,
  readDedupServices,
  writeServiceClusters,
  writeStructureClusters,
  type BlockScope,
  type StoredDedupRecord,
} from '../store/clusters';
import { clusterServices, clusterStructures } from './cluster';
import { features, foldInsee } from './features';

/**
 * Where dedup runs: over the whole store (`passerelle dedup`), or after a write over the blocks the changed
 * structures fall in (`dedupAfterWrite`, called by the harvest and the import). Both read, cluster and write
 * in one transaction holding the dedup lock; `updated_at` is left alone (a record's clusters are not a
 * change of the record).
 */

export interface DedupResult {
  /** Structures compared (all of them, or the changed ones' blocks). */
  structures: number;
  /** Pairs scored, pairs accepted, links the guard refused. */
  compared: number;
  accepted: number;
  refused: number;
  /** Rows whose cluster_id changed. */
  written: number;
  /** After the run, in the whole store. */
  clusters: number;
  clustered: number;
  clusteredServices: number;
  milliseconds: number;
}

const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 };

/** Re-clusters every structure and service of the store. */
export async function dedupStore(store: Store): Promise<DedupResult> {
  const started = Date.now();
  return store.prisma.$transaction(async (tx) => {
    await lockDedup(tx);
    const records = await readAllDedupRecords(tx);
    const result = clusterStructures(records);
    const ids = [...result.clusterOf.keys()];
    let written = await clearOtherStructureClusters(tx, ids);
    written += await writeStructureClusters(tx, ids, ids.map((id) => result.clusterOf.get(id)!));
    const services = clusterServices(await readDedupServices(tx, ids), result.clusterOf);
    written += await writeServiceClusters(tx, 'all', services);
    const counts = await clusterCounts(tx);
    return summary(records.length, result, written, counts, started);
  }, TX_OPTIONS);
}

/**
 * Re-clusters the structures that share a block with these (changed or new) ones, with the members of
 * the clusters they are in, and their services. Ids of deleted structures may be given: their former
 * mates are re-clustered, and a cluster left with one member is cleared.
 */
export async function dedupAfterWrite(store: Store, structureIds: readonly string[]): Promise<DedupResult> {
  const started = Date.now();
  return store.prisma.$transaction(async (tx) => {
    await lockDedup(tx);
    let written = await clearLoneClusters(tx);
    if (!structureIds.length) return summary(0, { compared: 0, accepted: 0, refused: 0 }, written, await clusterCounts(tx), started);
    const changed = await readBlockRecords(tx, { ...emptyScope(), ids: [...structureIds] });
    const asked = new Set(structureIds);
    const direct = changed.filter((r) => asked.has(r.id));
    const neighbours = await readBlockRecords(tx, scopeOf(direct, structureIds));
    // …and the whole clusters of those, so that no cluster is recomputed from a part of it.
    const clusterIds = [...new Set(neighbours.map((r) => r.clusterId).filter((c): c is string => c !== null))];
    const byId = new Map(neighbours.map((r) => [r.id, r]));
    if (clusterIds.length) for (const r of await readBlockRecords(tx, { ...emptyScope(), clusterIds })) byId.set(r.id, r);
    const records = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const result = clusterStructures(records);
    const ids = records.map((r) => r.id);
    written += await writeStructureClusters(tx, ids, ids.map((id) => result.clusterOf.get(id) ?? null));
    const services = clusterServices(await readDedupServices(tx, ids), result.clusterOf);
    written += await writeServiceClusters(tx, ids, services);
    written += await clearLoneClusters(tx);
    return summary(records.length, result, written, await clusterCounts(tx), started);
  }, TX_OPTIONS);
}

/** Changed structures beyond which one whole pass (a few seconds for the national offer) beats block-by-block. */
export const INCREMENTAL_LIMIT = 2000;

/**
 * After a write (import, harvest): the blocks of the changed structures re-clustered, or the whole store
 * when so many changed that one pass is cheaper. Nothing when nothing changed.
 */
export async function dedupChanged(store: Store, structureIds: readonly string[], deleted = false): Promise<DedupResult | undefined> {
  if (structureIds.length > INCREMENTAL_LIMIT) return dedupStore(store);
  if (structureIds.length || deleted) return dedupAfterWrite(store, structureIds);
  return undefined;
}

function emptyScope(): BlockScope {
  return { ids: [], codesInsee: [], codesPostaux: [], sirens: [], phones: [], emails: [], clusterIds: [] };
}

/** The SQL-matchable blocks of these structures (src/dedup/cluster.ts's keys, widened: the rest is scored anyway). */
function scopeOf(records: readonly StoredDedupRecord[], ids: readonly string[]): BlockScope {
  const scope = emptyScope();
  const add = (list: string[], value: string | null | undefined) => {
    if (value && !list.includes(value)) list.push(value);
  };
  for (const id of ids) add(scope.ids, id);
  for (const r of records) {
    const f = features(r);
    for (const code of inseeVariants(f.insee)) add(scope.codesInsee, code);
    add(scope.codesPostaux, f.postal);
    add(scope.sirens, f.siren);
    add(scope.phones, f.phone?.slice(1));
    add(scope.emails, f.email);
    add(scope.clusterIds, r.clusterId);
    for (const other of r.doublons) add(scope.ids, other);
  }
  return scope;
}

/** A folded INSEE code and the arrondissement codes folded into it. */
function inseeVariants(code: string | null): string[] {
  if (!code) return [];
  const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(2, '0')}`);
  if (code === '75056') return [code, ...range('751', 1, 20)];
  if (code === '69123') return [code, ...Array.from({ length: 9 }, (_, i) => `6938${i + 1}`)];
  if (code === '13055') return [code, ...range('132', 1, 16)];
  return [foldInsee(code) ?? code];
}

function summary(
  structures: number,
  r: { compared: number; accepted: number; refused: number },
  written: number,
  counts: { clusters: number; structures: number; services: number },
  started: number,
): DedupResult {
  return {
    structures,
    compared: r.compared,
    accepted: r.accepted,
    refused: r.refused,
    written,
    clusters: counts.clusters,
    clustered: counts.structures,
    clusteredServices: counts.services,
    milliseconds: Date.now() - started,
  };
}
