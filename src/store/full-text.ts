// French full-text search over services (`ServiceFilter.q`): what a service's search document is, how a
// query is read, and the SQL fragments that match and rank — one home for both the filter criterion
// (src/store/offer-filter.ts) and any search that orders by relevance.
//
// Why the accents are stripped here, in TypeScript, and not with PostgreSQL's `unaccent`: `unaccent()` is not
// immutable (it reads a dictionary), so no generated column or expression index can call it, and the embedded
// store (PGlite) would have to load the extension on every open and in every migration. Instead the writer
// (src/store/write.ts) computes the accent-free document of each service and stores its
// `to_tsvector('french', …)` in `services.recherche` (GIN-indexed); a query goes through the same
// normalisation before `websearch_to_tsquery('french', …)`. Both engines run the same SQL: the `french`
// text search configuration (Snowball stemmer + stop words) is core PostgreSQL, PGlite included.
import { Prisma } from '../generated/prisma/client';
import { lookup } from '../domain/nomenclatures';
import type { Store } from './database';

/** The text search configuration of documents and queries. */
export const TEXT_SEARCH_CONFIG = 'french';

/**
 * The services column holding the search document's tsvector. Not a model field (`Unsupported("tsvector")` in
 * schema.prisma): only searches read it, never the read path (src/store/offer-columns.ts).
 */
export const SEARCH_COLUMN = 'recherche';

/** Most characters of a `q` (after trimming). */
export const MAX_QUERY_LENGTH = 200;

/**
 * The form documents and queries are compared in: diacritics removed (NFD, then combining marks dropped;
 * `œ`/`æ` spelled out), lower case, and a hyphen or apostrophe *inside* a word made a space, so that
 * "Écrivain-public", "écrivain public" and "ecrivain public" read alike ("l'emploi" is "l emploi"). A hyphen
 * that starts a word stays: it is `websearch_to_tsquery`'s "not".
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .toLowerCase()
    .replace(/(?<=[\p{L}\p{N}])[-‐‑'’ʼ](?=[\p{L}\p{N}])/gu, ' ');
}

/** What of a service is searched (v1 field names, as the writer holds the record). */
export interface SearchableService {
  nom?: string | null;
  description?: string | null;
  thematiques?: readonly string[] | null;
  publics_precisions?: string | null;
}

/**
 * A service's search document, normalised: its `nom`, `description`, the French labels of its thématiques
 * (a slug the nomenclature does not know is searched as its words) and `publics_precisions`.
 */
export function searchDocument(service: SearchableService): string {
  const labels = (service.thematiques ?? []).map((t) => lookup('thematiques', t)?.label ?? t.replace(/-+/g, ' '));
  return normaliseText([service.nom, service.description, ...labels, service.publics_precisions].filter((part) => !!part).join('\n'));
}

/** The SQL that turns a normalised document into the stored `recherche` tsvector. */
export const DOCUMENT_VECTOR_SQL = (documentSql: string): string => `to_tsvector('${TEXT_SEARCH_CONFIG}', ${documentSql})`;

/**
 * Fills `recherche` on every service that has none: rows written before migration `full_text`, which SQL alone
 * could not normalise as the writer does. Run by `deployMigrations` after every deploy (start, seed, import,
 * tests), so an existing store is searchable once migrated; a no-op when every row has its document.
 * Returns the number of rows filled.
 */
export async function backfillSearchDocuments(store: Store, chunkSize = 2000): Promise<number> {
  // A store migrated from another folder (tests) may have no such column.
  const [column] = await store.prisma.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'services' AND column_name = 'recherche'`,
  );
  if (!column) return 0;
  let filled = 0;
  for (;;) {
    const rows = await store.prisma.$queryRawUnsafe<(SearchableService & { id: string })[]>(
      `SELECT id, nom, description, thematiques, publics_precisions FROM services WHERE recherche IS NULL ORDER BY id LIMIT ${chunkSize}`,
    );
    if (!rows.length) return filled;
    const documents = rows.map((row) => ({ id: row.id, document: searchDocument(row) }));
    filled += await store.prisma.$executeRawUnsafe(
      `UPDATE services s SET recherche = ${DOCUMENT_VECTOR_SQL('r.document')}
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, document text) WHERE s.id = r.id`,
      JSON.stringify(documents),
    );
  }
}

/** The tsquery of a user's `q`: web-search syntax (words are AND-ed; `"…"` a phrase; `or`; `-word` excludes). */
function tsquery(q: string): Prisma.Sql {
  return Prisma.sql`websearch_to_tsquery(${Prisma.raw(`'${TEXT_SEARCH_CONFIG}'`)}, ${normaliseText(q.trim())})`;
}

const rowOf = (alias: string | Prisma.Sql) => (typeof alias === 'string' ? Prisma.raw(alias) : alias);

/**
 * `textMatch(alias, q)`: the condition "the service row `alias` matches `q`" (uses the GIN index on
 * `services.recherche`). A `q` made only of stop words ("le", "des") has no lexeme and matches nothing.
 */
export function textMatch(alias: string | Prisma.Sql, q: string): Prisma.Sql {
  return Prisma.sql`${rowOf(alias)}.recherche @@ ${tsquery(q)}`;
}

/**
 * `textRank(alias, q)`: the relevance of the service row `alias` for `q` (`ts_rank`, a float8, higher is
 * better; 0 for a row that does not match). Order by it DESC, then by id for a stable keyset.
 */
export function textRank(alias: string | Prisma.Sql, q: string): Prisma.Sql {
  return Prisma.sql`ts_rank(${rowOf(alias)}.recherche, ${tsquery(q)})::float8`;
}

// ---- In memory (live partner records), an approximation ----------------------------------------------------
// No Snowball stemmer runs in Node here, so live partner records are matched by a simpler rule, documented in
// the README: the same normalisation and PostgreSQL's French stop words, then every remaining word of `q`
// must equal a word of the document once both lose a final plural `s`/`x` and then a final `e` ("publics" =
// "public", "numériques" = "numerique"); a `-word` must not be there. Quotes and `or` are read as plain
// AND-ed words. Snowball also folds derived forms ("numérisation" / "numérique"), which this does not, and it
// keeps a few plurals apart ("emplois" / "emploi") that this folds.

/** PostgreSQL's `french` stop words (share/tsearch_data/french.stop), normalised. */
const STOP_WORDS = new Set(
  (
    'au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne nos notre nous on ou par pas pour qu que ' +
    'qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes suis es ' +
    'est sommes êtes sont serai seras sera serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut ' +
    'fûmes fûtes furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai ' +
    'as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes ' +
    'eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent'
  ).split(' '),
);

const lightStem = (word: string) => word.replace(/[sx]$/, '').replace(/e$/, '');

/** The light stems of a normalised text's words, stop words left out. */
function stems(text: string): string[] {
  // Stop words are checked on the normalised words, as PostgreSQL reads them: "à" became "a", no stop word.
  return normaliseText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && !STOP_WORDS.has(word))
    .map(lightStem);
}

/** Whether a service's search document (`searchDocument`) matches `q`, by the in-memory rule above. */
export function documentMatches(document: string, q: string): boolean {
  const words = new Set(stems(document));
  const tokens = q.trim().split(/\s+/);
  const wanted = tokens.filter((t) => !t.startsWith('-')).flatMap((t) => stems(t)).filter((w) => w !== 'or');
  const excluded = tokens.filter((t) => t.startsWith('-') && t.length > 1).flatMap((t) => stems(t.slice(1)));
  // As PostgreSQL: a query without any word (only stop words) matches nothing.
  if (!wanted.length) return false;
  return wanted.every((w) => words.has(w)) && !excluded.some((w) => words.has(w));
}
