import { createHash } from 'node:crypto';
import type { DedupRecord, DedupService } from '../domain/dedup';
import { features, fold, type Features } from './features';
import { accepted, compatible, scorePair, type ContactCounts, type PairScore } from './match';

/**
 * Clustering: blocking, the pairwise score of each pair of a block (match.ts), then union-find over the
 * accepted pairs, strongest first, with a guard against chaining: two clusters join only when every member
 * of one is compatible with every member of the other (probability ≥ COMPATIBLE and no forbidding rule) and
 * the result has at most MAX_CLUSTER members. So A≈B and B≈C never put A with C when A and C are a mairie and
 * its CCAS. data·inclusion's published `doublons` are accepted, compatible links.
 */

/** Blocks larger than this are left out of pair generation (a network's phone, a word every name has). */
export const MAX_BLOCK = 100;
/** The largest cluster (data·inclusion's dbt tests warn past 20 members). */
export const MAX_CLUSTER = 20;

/** The blocks a structure falls in: same commune and name word, same commune and address, same SIREN, phone or e-mail. */
export function blockingKeys(f: Features): string[] {
  const keys: string[] = [];
  // By INSEE code and by postal code: a record may lack either.
  for (const place of [f.insee, f.postal]) {
    if (!place) continue;
    // A word of the name that names the place (not a kind, a network word or the commune), or else the whole name.
    const words = f.blockingWords.length ? f.blockingWords : [f.name];
    for (const word of words) keys.push(`n:${place}:${word}`);
    if (f.address) keys.push(`a:${place}:${f.address}`);
  }
  if (f.siren) keys.push(`s:${f.siren}`);
  if (f.phone) keys.push(`t:${f.phone}`);
  if (f.email) keys.push(`e:${f.email}`);
  return keys;
}

/** A cluster's id: derived from its smallest member id, so that re-clustering the same members gives the same id. */
export function clusterKey(memberIds: readonly string[]): string {
  const first = [...memberIds].sort()[0];
  return createHash('sha1').update(first).digest('hex').slice(0, 16);
}

export interface ClusterResult {
  /** Cluster id of each structure that has one (alone: absent). */
  clusterOf: Map<string, string>;
  /** Pairs scored, pairs accepted, links refused by the guard. */
  compared: number;
  accepted: number;
  refused: number;
}

export function countContacts(all: readonly Features[]): ContactCounts {
  const phone = new Map<string, number>();
  const email = new Map<string, number>();
  for (const f of all) {
    if (f.phone) phone.set(f.phone, (phone.get(f.phone) ?? 0) + 1);
    if (f.email) email.set(f.email, (email.get(f.email) ?? 0) + 1);
  }
  return { phone, email };
}

export function clusterStructures(records: readonly DedupRecord[]): ClusterResult {
  const all = records.map(features);
  const index = new Map(all.map((f, i) => [f.record.id, i]));
  const counts = countContacts(all);

  const blocks = new Map<string, number[]>();
  all.forEach((f, i) => {
    for (const key of blockingKeys(f)) {
      const block = blocks.get(key);
      if (block) block.push(i);
      else blocks.set(key, [i]);
    }
  });

  const scores = new Map<number, PairScore>();
  const pairKey = (i: number, j: number) => (i < j ? i * all.length + j : j * all.length + i);
  const scoreOf = (i: number, j: number): PairScore => {
    const key = pairKey(i, j);
    let s = scores.get(key);
    if (!s) scores.set(key, (s = scorePair(all[i], all[j], counts)));
    return s;
  };
  // data·inclusion's own links (both ids present).
  const published = new Set<number>();
  all.forEach((f, i) => {
    for (const other of f.record.doublons) {
      const j = index.get(other);
      if (j !== undefined && j !== i) published.add(pairKey(i, j));
    }
  });

  const candidates: { i: number; j: number; p: number }[] = [];
  for (const key of published) candidates.push({ i: Math.floor(key / all.length), j: key % all.length, p: 1 });
  const seen = new Set<number>(published);
  for (const members of blocks.values()) {
    if (members.length < 2 || members.length > MAX_BLOCK) continue;
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        const key = pairKey(members[a], members[b]);
        if (seen.has(key)) continue;
        seen.add(key);
        const s = scoreOf(members[a], members[b]);
        if (accepted(s)) candidates.push({ i: members[a], j: members[b], p: s.probability });
      }
    }
  }
  const compared = scores.size;
  candidates.sort((x, y) => y.p - x.p || x.i - y.i || x.j - y.j);

  // Union-find, each root holding its members.
  const parent = all.map((_, i) => i);
  const members = all.map((_, i) => [i]);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const fits = (x: number, y: number) => published.has(pairKey(x, y)) || compatible(scoreOf(x, y));
  let refused = 0;
  for (const { i, j } of candidates) {
    const ri = find(i);
    const rj = find(j);
    if (ri === rj) continue;
    const ok = members[ri].length + members[rj].length <= MAX_CLUSTER && members[ri].every((x) => members[rj].every((y) => fits(x, y)));
    if (!ok) {
      refused++;
      continue;
    }
    parent[rj] = ri;
    members[ri] = members[ri].concat(members[rj]);
    members[rj] = [];
  }

  const clusterOf = new Map<string, string>();
  all.forEach((_, i) => {
    if (find(i) !== i || members[i].length < 2) return;
    const ids = members[i].map((m) => all[m].record.id);
    const key = clusterKey(ids);
    for (const id of ids) clusterOf.set(id, key);
  });
  return { clusterOf, compared, accepted: candidates.length, refused };
}

export type { DedupService };

/** A service's name, normalised for matching (case, accents, punctuation, stop words). */
export function serviceName(nom: string): string {
  return fold(nom)
    .split(' ')
    .filter((w) => w && !['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'et', 'a', 'au', 'aux', 'en'].includes(w))
    .join(' ');
}

/**
 * Services of clustered structures are the same service when they have the same normalised name and share
 * a thématique (or neither has one); at most one service per structure in a cluster (two sessions of one
 * structure are two services).
 */
export function clusterServices(services: readonly DedupService[], structureCluster: ReadonlyMap<string, string>): Map<string, string> {
  const groups = new Map<string, DedupService[]>();
  for (const s of services) {
    const cluster = structureCluster.get(s.structureId);
    if (!cluster) continue;
    const key = `${cluster}\u0000${serviceName(s.nom)}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const out = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const taken = new Set<number>();
    for (let i = 0; i < group.length; i++) {
      if (taken.has(i)) continue;
      const cluster = [group[i]];
      const structures = new Set([group[i].structureId]);
      for (let j = i + 1; j < group.length; j++) {
        const s = group[j];
        if (taken.has(j) || structures.has(s.structureId)) continue;
        const themes = (t: readonly string[]) => t.length === 0;
        const shares = cluster.every((c) => (themes(c.thematiques) && themes(s.thematiques)) || c.thematiques.some((t) => s.thematiques.includes(t)));
        if (!shares) continue;
        cluster.push(s);
        structures.add(s.structureId);
        taken.add(j);
      }
      if (cluster.length < 2) continue;
      const key = clusterKey(cluster.map((c) => c.id));
      for (const c of cluster) out.set(c.id, key);
    }
  }
  return out;
}
