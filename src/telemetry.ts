/**
 * OpenTelemetry tracing, off unless configured by the standard variables: `OTEL_TRACES_EXPORTER` (`otlp`,
 * `console`; `none` keeps it off) or an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); `OTEL_SDK_DISABLED=true` wins over both. The SDK reads the rest of
 * the standard variables itself (protocol, headers, sampler, `OTEL_SERVICE_NAME`).
 *
 * Imported by src/server.ts before anything else it imports: the instrumentations patch `http`, `pg` and
 * `graphql` when those modules load, so a module loaded before this one would never be traced. When tracing
 * is off, none of the SDK is even loaded.
 *
 * What the spans carry, and why it is safe: the graphql instrumentation records the document but never
 * variable values (`allowValues` stays false) and the pg one the SQL text but never its parameters
 * (`enhancedDatabaseReporting` stays false): contact values travel in both. Resolver spans are off (a page
 * of 100 records would make thousands of them); parse, validate and execute spans remain.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (exporters.length) return exporters.some((e) => e !== 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

function startTracing(): NodeSDK {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ? undefined : 'passerelle',
    instrumentations: [
      // Probes every few seconds would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => PROBES.has((req.url ?? '').split('?')[0]) }),
      new PgInstrumentation(),
      new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
    ],
    // Traces only: this process's metrics are Prometheus' (GET /metrics), its logs are stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}

const sdk = tracingConfigured() ? startTracing() : undefined;

/** Sends the spans still buffered (on shutdown). */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
}
