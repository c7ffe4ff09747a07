import type { FieldNode, GraphQLError } from 'graphql';
import { accessFor, type Access } from './auth/source-licences';
import { Withheld } from './auth/withheld';
import { ANONYMOUS, type Viewer } from './auth/viewer';
import type { PartnerRegistry } from './partners/registry';
import type { Store } from './store/database';
import { readChangeFeed, type FeedPage } from './exports/change-feed';
import { createLoaders, type Loaders } from './loaders';
import { DEFAULT_FRESHNESS, type FreshnessThresholds } from './quality/freshness';

/**
 * What every resolver of one request gets. No store: resolvers ask the loaders, which decide who answers
 * (the store or a live partner) and own every read.
 */
export interface Context {
  /** Who is asking (from the request's token). */
  viewer: Viewer;
  /** What that viewer may see of the offer (source licences). */
  access: Access;
  /** This request's loaders, bound to that access. */
  loaders: Loaders;
  /** Guarded fields withheld from this request (reported in `extensions.withheld`). */
  withheld: Withheld;
  /** Live partners (passerelle.config.json), when any is declared. */
  partners?: PartnerRegistry;
  /** Partners that could not answer a list: reported as errors on the list's path, the list still served. */
  outages: { path: (string | number)[]; error: GraphQLError }[];
  /** What each field of this request reads (src/graph/selection.ts), planned once per field. */
  plans: Map<FieldNode, unknown>;
  /** Thresholds of `fraicheur` (verdicts and the list filter), from the configuration. */
  freshness: FreshnessThresholds;
  /** Every restricted source (PASSERELLE_RESTRICTED_SOURCES): public figures (the dashboard) leave them out for anyone. */
  restrictedSources: readonly string[];
  /** This request's instant: `fraicheur` and the filter on it read one day for the whole response. */
  now: Date;
  /**
   * A page of the change feed, public whatever the viewer (no restricted source, no contact field), as the
   * exports (src/store/changes.ts).
   */
  changeFeed(since: string | undefined, first: number): Promise<FeedPage>;
}

export interface ContextOptions {
  viewer?: Viewer;
  restrictedSources?: readonly string[];
  /** Live partners (passerelle.config.json); none: the store answers for every source. */
  partners?: PartnerRegistry;
  /** Thresholds of `fraicheur`; default 180 and 730 days. */
  freshness?: FreshnessThresholds;
}

export function createContext(store: Store, options: ContextOptions = {}): Context {
  const viewer = options.viewer ?? ANONYMOUS;
  const access = accessFor(viewer, options.restrictedSources ?? []);
  return {
    viewer,
    access,
    loaders: createLoaders(store, access, options.partners),
    withheld: new Withheld(),
    partners: options.partners,
    outages: [],
    plans: new Map(),
    freshness: options.freshness ?? DEFAULT_FRESHNESS,
    restrictedSources: options.restrictedSources ?? [],
    now: new Date(),
    changeFeed: (since, first) =>
      readChangeFeed(store, { since, first, hiddenSources: options.restrictedSources ?? [], freshness: options.freshness ?? DEFAULT_FRESHNESS }),
  };
}
