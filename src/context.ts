import type { FieldNode, GraphQLError } from 'graphql';
import { accessFor, type Access } from './auth/source-licences';
import { Withheld } from './auth/withheld';
import { ANONYMOUS, type Viewer } from './auth/viewer';
import type { PartnerRegistry } from './partners/registry';
import type { Store } from './store/database';
import { readChangeFeed, type FeedChange, type FeedPage } from './exports/change-feed';
import type { ChangeStream } from './live/change-stream';
import { createLoaders, type Loaders } from './loaders';
import { DEFAULT_FRESHNESS, type FreshnessThresholds } from './quality/freshness';
import { deleteServices, pushRecords, type PushLimits, type PushReport } from './ingest/push';
import type { Kind } from './ingest/import/report';
import { addWebhook, listWebhooks, removeWebhook, type WebhookView } from './webhooks/endpoints';
import { forbidden } from './errors';

/** Default limits of the producer write API (PASSERELLE_PUSH_MAX_RECORDS, PASSERELLE_PUSH_MAX_BYTES). */
export const DEFAULT_PUSH_LIMITS: PushLimits = { maxRecords: 1000, maxBytes: 10 * 1024 * 1024 };

/** The producer write API, bound to this request's viewer (src/ingest/push.ts checks its scope and sources). */
export interface Writes {
  push(kind: Kind, records: readonly unknown[], source?: string | null): Promise<PushReport>;
  deleteServices(ids: readonly string[]): Promise<PushReport>;
}

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
  /** Writes of a producer's client (mutations): refused unless the token carries `import`. */
  writes: Writes;
  /** The calling client's webhooks: refused without a token. */
  webhooks: OwnWebhooks;
  /** The changes from now on (subscriptions); absent where no change stream runs (tests, CLI). */
  liveChanges?: (accept: (change: FeedChange) => boolean) => AsyncIterableIterator<FeedChange>;
  /**
   * Fresh loaders and an empty withheld set: a subscription's context lives as long as its connection, and each
   * event must read the records as they are now and report its own withheld fields.
   */
  renew(): void;
}

export interface OwnWebhooks {
  list(): Promise<WebhookView[]>;
  create(url: string, filter: unknown): Promise<{ webhook: WebhookView; secret: string }>;
  remove(id: string): Promise<boolean>;
}

export interface ContextOptions {
  viewer?: Viewer;
  restrictedSources?: readonly string[];
  /** Live partners (passerelle.config.json); none: the store answers for every source. */
  partners?: PartnerRegistry;
  /** Thresholds of `fraicheur`; default 180 and 730 days. */
  freshness?: FreshnessThresholds;
  /** Limits of the producer write API; default DEFAULT_PUSH_LIMITS. */
  pushLimits?: PushLimits;
  /** Webhook URLs on private addresses are accepted (PASSERELLE_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate?: boolean;
  /** The process's change stream (subscriptions). */
  changeStream?: ChangeStream;
}

export function createContext(store: Store, options: ContextOptions = {}): Context {
  const viewer = options.viewer ?? ANONYMOUS;
  const access = accessFor(viewer, options.restrictedSources ?? []);
  const context: Context = {
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
    writes: {
      push: (kind, records, source) => pushRecords(store, viewer, kind, records, { source, limits: options.pushLimits ?? DEFAULT_PUSH_LIMITS }),
      deleteServices: (ids) => deleteServices(store, viewer, ids, options.pushLimits ?? DEFAULT_PUSH_LIMITS),
    },
    webhooks: {
      list: async () => listWebhooks(store, clientOf(viewer)),
      create: async (url, filter) => addWebhook(store, { clientId: clientOf(viewer), url, filter, allowPrivate: options.webhookAllowPrivate ?? false }),
      remove: async (id) => removeWebhook(store, id, clientOf(viewer)),
    },
    liveChanges: options.changeStream && ((accept) => options.changeStream!.subscribe(accept)),
    renew() {
      context.loaders = createLoaders(store, access, options.partners);
      context.withheld = new Withheld();
      context.plans = new Map();
      context.outages = [];
      context.now = new Date();
    },
  };
  return context;
}

/** The calling client's id; an anonymous caller has no webhooks. */
function clientOf(viewer: Viewer): string {
  if (viewer.kind !== 'client') throw forbidden('webhooks belong to a client: send its token (Authorization: Bearer …)');
  return viewer.clientId;
}
