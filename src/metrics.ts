import { Counter, Registry } from 'prom-client';

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
