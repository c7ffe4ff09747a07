/**
 * Record ids follow the reference: `<source>--<producer id>` (`dora--paris-11`). The source of a record is
 * therefore known from its id alone, before anything is fetched: source licences, the choice of who answers
 * for a record (the store or a live partner) and validation all rest on it. This module is the one place
 * that reads or writes that form. The producer id may itself hold `--` (Soliguide's services were
 * `soliguide--<lieu>--<service>` before Passerelle took the reference's `soliguide--<serviceObjectId>`, and
 * producers' own ids may hold it): the source ends at the first one.
 */
export const ID_SEPARATOR = '--';

/** The parts of a record id. */
export interface OfferId {
  source: string;
  producerId: string;
}

/** `dora--paris-11` → `{ source: 'dora', producerId: 'paris-11' }`; null unless both parts are non-empty. */
export function parseOfferId(id: string): OfferId | null {
  const separator = id.indexOf(ID_SEPARATOR);
  if (separator <= 0 || separator + ID_SEPARATOR.length >= id.length) return null;
  return { source: id.slice(0, separator), producerId: id.slice(separator + ID_SEPARATOR.length) };
}

/** The source of an id (what comes before the first `--`); an id without `--` is its own source (a source that does not exist). */
export function sourceOfId(id: string): string {
  const separator = id.indexOf(ID_SEPARATOR);
  return separator < 0 ? id : id.slice(0, separator);
}

/** The producer id of `<source>--<producer id>` when the id belongs to `source`, else undefined. */
export function producerIdIn(id: string, source: string): string | undefined {
  const parts = parseOfferId(id);
  return parts?.source === source ? parts.producerId : undefined;
}

/** The id of a producer's record: `offerId('dora', 'paris-11')` → `dora--paris-11`. */
export function offerId(source: string, producerId: string): string {
  return `${source}${ID_SEPARATOR}${producerId}`;
}
