import { COMPARISON_GOALS, type RatioFigures, type ServerFigures } from './comparison';
import type { BenchReport } from './harness';
import { LIVE_PARTNER_GOALS, PARTNER_LATENCY_MS } from './live-partner';
import { postgraphileVersion } from './peers/postgraphile';
import { SERVER_NAMES } from './shapes';
import { EXPORT_GOALS } from './exports';

/** The report `npm run bench` prints: plain text tables, and the same figures as Markdown for docs/benchmarks.md. */

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const statements = (n: number) => (Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(2)) : 'n/a');
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** A ratio against its goal; three decimals when two would round a miss up to the goal. */
function meanAgainst(mean: number, goal: number): string {
  return Number.isFinite(mean) && mean < goal && mean.toFixed(2) === goal.toFixed(2) ? `${mean.toFixed(3)}×` : times(mean);
}

function ratioLine(label: string, r: RatioFigures, goal: number): string {
  return `${label} ${meanAgainst(r.mean, goal)} (rounds ${r.perRound.map(times).join(', ')}) — goal ≥ ${goal}×: ${met(r.mean >= goal)}`;
}

function serverRow(name: string, f: ServerFigures): string {
  const cells = [
    name.padEnd(13),
    fixed(f.rps).padStart(7),
    fixed(f.p50, 1).padStart(7),
    fixed(f.p99, 1).padStart(7),
    String(f.non2xx).padStart(7),
    String(f.errors).padStart(6),
    String(f.mismatches).padStart(10),
    statements(f.statementsPerRequest).padStart(9),
  ];
  return `  ${cells.join('  ')}`;
}

const header = (first: string) => `  ${[first.padEnd(13), 'req/s'.padStart(7), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'non-2xx'.padStart(7), 'errors'.padStart(6), 'mismatches'.padStart(10), 'SQL/req'.padStart(9)].join('  ')}`;

/** The search part's lines (text and Markdown alike). */
function searchLines(report: BenchReport): string[] {
  if (!report.search) return [];
  return [
    '',
    `== searchServices on PostgreSQL (${report.database?.services ?? '?'} services), in process, sequential, first: 20 with totalCount`,
    ...report.search.map((s) => `  ${s.name}: ${s.totalCount} services; p50 ${fixed(s.p50, 1)} ms, p95 ${fixed(s.p95, 1)} ms (${s.requests} requests); just after a write to the offer: p50 ${fixed(s.coldP50, 1)} ms`),
  ];
}

export function formatText(report: BenchReport): string {
  const { options, machine } = report;
  const lines: string[] = [];
  lines.push(
    `Passerelle benchmark, ${report.startedAt.toISOString()}`,
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ` +
      (report.postgres.reachable ? `PostgreSQL ${report.postgres.version}` : 'no PostgreSQL'),
    `load: autocannon, ${options.connections} connections, same POST body every request; ${options.rounds} round(s) × ${options.seconds} s per server ` +
      `and shape after a ${options.warmupSeconds} s warm-up; req/s, p50 and p99 are means over rounds; ` +
      'ratios are Passerelle ÷ peer req/s computed per round (same round), then averaged',
  );
  for (const skipped of report.skipped) lines.push(`SKIPPED: ${skipped}`);
  for (const failure of report.failures) lines.push(`FAILED (${failure.part}): ${failure.message.split('\n')[0]}`);

  if (report.comparison && report.database) {
    const db = report.database;
    lines.push(
      '',
      `== PostgreSQL: Passerelle, PostGraphile ${postgraphileVersion()} (amber), hand-written floor — database ${options.database}: ` +
        `${db.structures} structures, ${db.services} services${db.reused ? ' (reused)' : `, seeded in ${fixed(db.seedSeconds ?? Number.NaN)} s`}, ANALYZEd`,
    );
    for (const shape of report.comparison.shapes) {
      lines.push('', `${shape.shape}: ${shape.description}`, `  same data on all three servers (${shape.recordsCompared} objects compared)`, header('server'));
      for (const server of SERVER_NAMES) lines.push(serverRow(server, shape.servers[server]));
      lines.push(
        `  ${ratioLine('Passerelle/PostGraphile', shape.ratios.postgraphile, COMPARISON_GOALS.postgraphile)}`,
        `  ${ratioLine('Passerelle/floor       ', shape.ratios.floor, COMPARISON_GOALS.floor)}`,
      );
    }
  }

  if (report.pglite) {
    const p = report.pglite;
    lines.push(
      '',
      `== PGlite (embedded store): Passerelle alone, ${p.structures} structures` +
        (p.cliSeedSeconds !== undefined ? ` (CLI seed ${fixed(p.cliSeedSeconds)} s)` : ' (seeded by the server on first start)') +
        `, ready in ${fixed(p.readySeconds, 1)} s; no peer, statements not counted (in-process)`,
      header('shape'),
    );
    for (const shape of p.shapes) lines.push(serverRow(shape.shape, shape.passerelle));
  }

  if (report.livePartner) {
    const l = report.livePartner;
    lines.push(
      '',
      `== Live partner: services(live: true, first: 50, filter: { codeDepartement: "75" }) { totalCount … }, partner answering in ${PARTNER_LATENCY_MS} ms, ${l.rounds} sequential requests`,
      `  partner alone: p50 ${fixed(l.partnerAlone.p50, 1)} ms, p90 ${fixed(l.partnerAlone.p90, 1)} ms`,
    );
    for (const m of l.merged) {
      const ok = m.partnerCallsPerRequest <= LIVE_PARTNER_GOALS.partnerCallsPerRequest && (m.cacheTtlSeconds > 0 || m.addedMs <= LIVE_PARTNER_GOALS.addedMs);
      lines.push(
        `  merged, cache ${m.cacheTtlSeconds ? `${m.cacheTtlSeconds} s` : 'off'}: p50 ${fixed(m.p50, 1)} ms, p90 ${fixed(m.p90, 1)} ms; ` +
          `added over the partner's own p50 ${fixed(m.addedMs, 1)} ms (ratio ${fixed(m.ratio, 2)}); partner calls per request ${fixed(m.partnerCallsPerRequest, 2)}` +
          ` — goal ≤ ${LIVE_PARTNER_GOALS.partnerCallsPerRequest} call per partner per request${m.cacheTtlSeconds ? '' : ` and ≤ ${LIVE_PARTNER_GOALS.addedMs} ms added`}: ${met(ok)}`,
      );
    }
  }
  lines.push(...searchLines(report));
  lines.push(...exportLines(report));
  return lines.join('\n');
}

/** The exports part's lines: rows/s per format, the server's peak RSS, /healthz meanwhile. */
function exportLines(report: BenchReport): string[] {
  const run = report.exports;
  if (!run) return [];
  const csv = run.figures.find((f) => f.format === 'csv');
  const peak = Math.max(...run.figures.map((f) => f.peakRssMb));
  return [
    '',
    `== exports: GET /exports/services.<format> on ${run.engine} (${run.services} services), one download at a time, identity encoding`,
    ...run.figures.map(
      (f) =>
        `  ${f.format.padEnd(8)} ${fixed(f.rowsPerSecond).padStart(8)} rows/s  ${fixed(f.seconds, 1).padStart(6)} s  ${fixed(f.bytes / 1e6, 1).padStart(7)} MB  ` +
        `peak RSS ${fixed(f.peakRssMb)} MB  /healthz p50 ${fixed(f.probeP50Ms, 1)} ms, max ${fixed(f.probeMaxMs, 1)} ms (${f.probes} probes)`,
    ),
    `  server RSS before the first export ${fixed(run.startRssMb)} MB`,
    ...(csv ? [`  CSV ${fixed(csv.rowsPerSecond)} rows/s — goal ≥ ${EXPORT_GOALS.csvRowsPerSecond}: ${met(csv.rowsPerSecond >= EXPORT_GOALS.csvRowsPerSecond)}`] : []),
    `  peak RSS ${fixed(peak)} MB — goal < ${EXPORT_GOALS.peakRssMb} MB: ${met(peak < EXPORT_GOALS.peakRssMb)}`,
  ];
}

export function formatMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  if (report.comparison) {
    lines.push(
      '| shape | server | req/s | p50 ms | p99 ms | non-2xx / errors / mismatches | SQL statements / request | Passerelle ÷ server (per round) |',
      '|---|---|---:|---:|---:|---:|---:|---|',
    );
    for (const shape of report.comparison.shapes) {
      for (const server of SERVER_NAMES) {
        const f = shape.servers[server];
        const r = server === 'passerelle' ? undefined : shape.ratios[server];
        const goal = server === 'passerelle' ? undefined : COMPARISON_GOALS[server];
        lines.push(
          `| ${shape.shape} | ${server} | ${fixed(f.rps)} | ${fixed(f.p50, 1)} | ${fixed(f.p99, 1)} | ${f.non2xx} / ${f.errors} / ${f.mismatches} | ${statements(f.statementsPerRequest)} | ` +
            (r && goal !== undefined ? `**${meanAgainst(r.mean, goal)}** (${r.perRound.map(times).join(', ')}); goal ≥ ${goal}×: ${met(r.mean >= goal)}` : '—') +
            ' |',
        );
      }
    }
  }
  if (report.pglite) {
    lines.push('', `PGlite, Passerelle alone, ${report.pglite.structures} structures:`, '', '| shape | req/s | p50 ms | p99 ms | non-2xx / errors / mismatches |', '|---|---:|---:|---:|---:|');
    for (const s of report.pglite.shapes) {
      const f = s.passerelle;
      lines.push(`| ${s.shape} | ${fixed(f.rps)} | ${fixed(f.p50, 1)} | ${fixed(f.p99, 1)} | ${f.non2xx} / ${f.errors} / ${f.mismatches} |`);
    }
  }
  if (report.livePartner) {
    const l = report.livePartner;
    lines.push('', '| live partner | p50 ms | p90 ms | added over partner p50 | partner calls / request |', '|---|---:|---:|---:|---:|');
    lines.push(`| partner alone (${PARTNER_LATENCY_MS} ms) | ${fixed(l.partnerAlone.p50, 1)} | ${fixed(l.partnerAlone.p90, 1)} | — | — |`);
    for (const m of l.merged) {
      lines.push(`| merged, cache ${m.cacheTtlSeconds ? `${m.cacheTtlSeconds} s` : 'off'} | ${fixed(m.p50, 1)} | ${fixed(m.p90, 1)} | ${fixed(m.addedMs, 1)} ms | ${fixed(m.partnerCallsPerRequest, 2)} |`);
    }
  }
  if (report.exports) {
    lines.push('', `| export (${report.exports.engine}, ${report.exports.services} services) | rows/s | MB | peak RSS MB | /healthz p50 / max ms |`, '|---|---:|---:|---:|---:|');
    for (const f of report.exports.figures) lines.push(`| services.${f.format} | ${fixed(f.rowsPerSecond)} | ${fixed(f.bytes / 1e6, 1)} | ${fixed(f.peakRssMb)} | ${fixed(f.probeP50Ms, 1)} / ${fixed(f.probeMaxMs, 1)} |`);
  }
  if (report.search) {
    lines.push('', '| searchServices (PostgreSQL, in process) | services | p50 ms | p95 ms | p50 ms just after a write |', '|---|---:|---:|---:|---:|');
    for (const f of report.search) lines.push(`| ${f.name} | ${f.totalCount} | ${fixed(f.p50, 1)} | ${fixed(f.p95, 1)} | ${fixed(f.coldP50, 1)} |`);
  }
  return lines.join('\n');
}
