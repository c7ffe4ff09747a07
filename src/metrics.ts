import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's metrics, served at `GET /metrics` in Prometheus' text format. One registry for the
 * process: a counter counts what this process saw, whichever request or harvest saw it.
 */
export const metrics = new Registry();

/**
 * Values partner records carried that Passerelle's nomenclatures lack (a newer reference): the records
 * were kept with them (src/partners/common.ts). A rising count says the nomenclatures need an update.
 */
export const newerValuesKept = new Counter({
  name: 'passerelle_partner_newer_values_total',
  help: 'Nomenclature values and source slugs unknown to Passerelle, kept on partner records',
  labelNames: ['partner', 'nomenclature', 'value'] as const,
  registers: [metrics],
});

// The process's own figures (CPU, memory, event-loop lag, GC), under their standard names.
collectDefaultMetrics({ register: metrics });

/**
 * A label whose values come from callers (operation names, client ids) must not grow without bound: each
 * distinct value is a time series Prometheus keeps. The first `limit` values seen keep their name, any later
 * one is counted as `other`.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(readonly limit: number) {}

  value(raw: string): string {
    const value = raw.slice(0, 64);
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return 'other';
    this.seen.add(value);
    return value;
  }
}

/** Distinct operation names and clients that keep their own label; the rest are `other`. */
export const LABEL_LIMITS = { operations: 100, clients: 200 } as const;
const operationLabel = new BoundedLabel(LABEL_LIMITS.operations);
const clientLabel = new BoundedLabel(LABEL_LIMITS.clients);

const graphqlRequests = new Counter({
  name: 'passerelle_graphql_requests_total',
  help: 'GraphQL requests answered, by operation name and client (reuser)',
  labelNames: ['operation', 'client'] as const,
  registers: [metrics],
});

const graphqlErrors = new Counter({
  name: 'passerelle_graphql_errors_total',
  help: 'Errors in GraphQL responses, by extensions.code',
  labelNames: ['code'] as const,
  registers: [metrics],
});

const graphqlDuration = new Histogram({
  name: 'passerelle_graphql_request_duration_seconds',
  help: 'Time to answer a GraphQL request, by operation name',
  labelNames: ['operation'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metrics],
});

const sqlPerRequest = new Histogram({
  name: 'passerelle_graphql_sql_statements',
  help: 'SQL statements sent to the store per GraphQL request',
  buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100],
  registers: [metrics],
});

const partnerCallsPerRequest = new Histogram({
  name: 'passerelle_graphql_partner_calls',
  help: 'Partner HTTP calls (retries included) per GraphQL request',
  buckets: [0, 1, 2, 3, 5, 10, 20],
  registers: [metrics],
});

/** What one answered GraphQL request adds to the metrics (src/plugins/request-log.ts reports every one). */
export interface RequestFigures {
  /** Operation name, or null for an anonymous operation. */
  operation: string | null;
  /** Client id, or `anonymous`. */
  client: string;
  seconds: number;
  errors?: readonly string[];
  sqlStatements: number;
  partnerCalls: number;
}

export function observeGraphQLRequest(figures: RequestFigures): void {
  const operation = operationLabel.value(figures.operation ?? '(unnamed)');
  graphqlRequests.inc({ operation, client: clientLabel.value(figures.client) });
  graphqlDuration.observe({ operation }, figures.seconds);
  sqlPerRequest.observe(figures.sqlStatements);
  partnerCallsPerRequest.observe(figures.partnerCalls);
  for (const code of figures.errors ?? []) graphqlErrors.inc({ code });
}

const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;
type CircuitState = (typeof CIRCUIT_STATES)[number];
const circuits = new Map<string, () => CircuitState>();

/** Each partner's circuit breaker: 1 on the series of its current state, 0 on the others. Read at scrape time. */
new Gauge({
  name: 'passerelle_partner_circuit_state',
  help: 'Partner circuit breaker state (1 for the current one of closed, half-open, open)',
  labelNames: ['partner', 'state'] as const,
  registers: [metrics],
  collect() {
    this.reset();
    for (const [partner, state] of circuits) {
      const current = state();
      for (const s of CIRCUIT_STATES) this.set({ partner, state: s }, s === current ? 1 : 0);
    }
  },
});

/** Declares a partner's breaker to the metrics (the latest registry declaring a partner id wins). */
export function watchCircuit(partner: string, state: () => CircuitState): void {
  circuits.set(partner, state);
}

/** GET responses answered from the response cache (`hit`) or computed (`miss`) (src/cache/response-cache.ts). */
export const responseCacheRequests = new Counter({
  name: 'passerelle_response_cache_requests_total',
  help: 'GraphQL GET requests looked up in the response cache, by result (hit, miss)',
  labelNames: ['result'] as const,
  registers: [metrics],
});

/** Requests refused with HTTP 429 by the rate limits (src/http/rate-limit.ts), by kind of caller. */
export const rateLimited = new Counter({
  name: 'passerelle_rate_limited_total',
  help: 'GraphQL requests refused with 429 by the rate limits, by kind of caller (anonymous, client)',
  labelNames: ['caller'] as const,
  registers: [metrics],
});
