import { sourceOfId } from '../domain/ids';
import type { Viewer } from './viewer';

/**
 * Source licences: some sources may only be shown to named reusers (the reference restricts `soliguide`).
 * A record's source is the prefix of its id (`<source>--<producer id>`), so visibility is decided from
 * ids alone, before anything is fetched, and in SQL from the `source` column and the structure's id.
 *
 * Everything that reads the offer for a request goes through one `Access`: list and count queries get
 * `hiddenSources` in their filter (src/graph/offer-connections.ts), by-id loaders ask `canSee`
 * (src/loaders). A hidden record is absent — not null with an error, not counted — so its existence
 * does not leak either.
 */
export interface Access {
  /** Restricted sources this viewer may not see (empty for most configurations' allowed clients). */
  hiddenSources: readonly string[];
  /** True when a record with this id (structure or service) may be shown. */
  canSee(id: string): boolean;
}

export function accessFor(viewer: Viewer, restrictedSources: readonly string[]): Access {
  const hidden = restrictedSources.filter((source) => !(viewer.kind === 'client' && viewer.allowedSources.has(source)));
  const hiddenSet = new Set(hidden);
  return {
    hiddenSources: hidden,
    canSee: (id) => !hiddenSet.has(sourceOfId(id)),
  };
}
