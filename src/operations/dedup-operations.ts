import { dedupStore, type DedupResult } from '../dedup/run';
import { THRESHOLD } from '../dedup/match';
import type { Operation } from './types';

const count = (n: number) => n.toLocaleString('en-US');

/** The one-line summary of a dedup run. */
export function dedupSummary(r: DedupResult): string {
  return (
    `dedup: ${count(r.structures)} structures compared in blocks (${count(r.compared)} pairs scored, ${count(r.accepted)} accepted at ` +
    `p ≥ ${THRESHOLD}, ${count(r.refused)} links refused by the cluster guard); ${count(r.clusters)} clusters of ` +
    `${count(r.clustered)} structures and ${count(r.clusteredServices)} services; ${count(r.written)} rows changed in ${count(r.milliseconds)} ms`
  );
}

/** `dedup`: re-clusters the whole store (structures, then their services). */
export const dedup: Operation<Record<string, never>> = {
  migrate: true,
  async run({ store }) {
    return { lines: [dedupSummary(await dedupStore(store))] };
  },
};
