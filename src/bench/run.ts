/**
 * `npm run bench [-- options]`: figures and ratios, never pass/fail on speed — but it fails (exit 1) when the
 * servers do not answer the same data, since their figures would then mean nothing. See docs/benchmarks.md.
 *
 * 1. PostgreSQL: a fresh database seeded with the national-scale demo set; Passerelle, PostGraphile v5 and a
 *    hand-written floor, each in its own process; four query shapes; same data checked; SQL statements per
 *    request counted; autocannon in alternating rounds; ratios against the goals.
 * 2. PGlite: Passerelle alone on its embedded store, the same shapes.
 * 3. A live partner: the latency Passerelle adds over a partner's own, and partner calls per request.
 */
import { runBench } from './harness';
import { parseOptions, USAGE, UsageError } from './options';
import { formatMarkdown, formatText } from './report';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const log = (line: string) => console.error(line);
  const report = await runBench(options, log);
  console.log(`\n${formatText(report)}`);
  if (options.markdown) console.log(`\n${formatMarkdown(report)}`);
  if (report.failures.length) {
    console.error(`\nbench: ${report.failures.length} part(s) failed:\n${report.failures.map((f) => `  ${f.part}: ${f.message}`).join('\n')}`);
    process.exitCode = 1;
  }
}

// Ended from outside: exit through process.exit, whose hooks kill the child servers and remove the temp folder.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
