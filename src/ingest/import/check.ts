// One row of a producer's file → a v1 record, or its problems. The reference's rules are
// src/domain/validation.ts, strictly (unknown nomenclature values are errors); the import adds:
// - `source`: filled with the imported source when the row has none; a row of another source is an error;
// - ids: `<source>--<producer id>`; a producer id without the `<source>--` prefix gets it (the template's
//   ids are the producer's own), for `id` and a service's `structure_id` alike;
// - unknown columns or keys: a warning, once per column, and left out;
// - the imported source may be one the import registers (validation knows only the reference's slugs).
import { offerId } from '../../domain/ids';
import { validateService, validateStructure, type ServiceRecord, type StructureRecord } from '../../domain/validation';
import { distance } from 'fastest-levenshtein';
import { valuesOf, type NomenclatureName } from '../../domain/nomenclatures';
import { FIELDS, IGNORE_COLUMN, isTrueCell } from './fields';
import { shownValue, type Kind, type Problem } from './report';
import type { RawRow } from './readers';

export interface CheckContext {
  source: string;
  /** Today (YYYY-MM-DD), the upper bound of date_maj; default: the current date. */
  today?: string;
  /** Unknown keys already reported, per kind (a warning once per key, not per row). */
  reportedKeys: Set<string>;
}

export type Checked =
  | { ignored: true }
  | { ignored?: false; record?: StructureRecord | ServiceRecord; id?: string; problems: Problem[] };

/** `publics[1]` → `publics`. */
const topField = (path: string) => path.split(/[.[]/)[0];

function valueAt(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split(/[.[\]]/).filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[/^\d+$/.test(part) ? Number(part) : part];
  }
  return current;
}

/** The producer's id as a store id: `<source>--<producer id>`, unless it has the prefix already. */
export function storeId(source: string, id: string): string {
  return id.startsWith(`${source}--`) ? id : offerId(source, id);
}

export function checkRow(row: RawRow, context: CheckContext): Checked {
  const { kind, sheet, line } = row;
  const problems: Problem[] = [...row.problems];
  // A line that could not be read at all (not JSON): its error says it; there is nothing to validate.
  if (Object.keys(row.values).length === 0 && problems.some((problem) => problem.severity === 'error')) return { problems };
  const values: Record<string, unknown> = {};
  const at = { kind, sheet, line };
  const fields = FIELDS[kind];
  for (const [key, value] of Object.entries(row.values)) {
    if (key === IGNORE_COLUMN) {
      if (isTrueCell(value)) return { ignored: true };
      continue;
    }
    if (!fields.has(key)) {
      const seen = `${kind}:${key}`;
      if (!context.reportedKeys.has(seen)) {
        context.reportedKeys.add(seen);
        problems.push({ severity: 'warning', ...at, field: key, message: `unknown ${row.typed ? 'key' : 'column'}: not a field of the v1 ${kindName(kind)} schema; ignored (reported once, on its first row)` });
      }
      continue;
    }
    values[key] = value;
  }

  const source = context.source;
  let otherSource = false;
  if (values.source === undefined || values.source === null || values.source === '') {
    values.source = source;
  } else if (values.source !== source) {
    otherSource = true;
    problems.push({ severity: 'error', ...at, field: 'source', value: shownValue('source', values.source), message: `the row's source is not the imported source "${source}" (--source)` });
  }
  const producerId = typeof values.id === 'string' ? values.id : undefined;
  if (producerId !== undefined && producerId.trim() !== '') values.id = storeId(source, producerId.trim());
  if (kind === 'service' && typeof values.structure_id === 'string' && values.structure_id.trim() !== '') {
    values.structure_id = storeId(source, values.structure_id.trim());
  }

  const result = kind === 'structure' ? validateStructure(values, { today: context.today }) : validateService(values, { today: context.today });
  if (!result.ok) {
    for (const error of result.errors) {
      const field = topField(error.field);
      // The imported source is known to the store (registered by this import if need be).
      if (field === 'source' && values.source === source) continue;
      // A row of another source: its error says so; the id's prefix follows from it.
      if (otherSource && field === 'id') continue;
      problems.push({
        severity: 'error',
        ...at,
        field: error.field || undefined,
        value: shownValue(field, valueAt(values, error.field)),
        // The value has its own entry (masked for contact fields): the message does not repeat it.
        message: suggest(error.message.replace(/ \(got [\s\S]*\)$/, '').replace(/, got [\s\S]*$/, ''), valueAt(values, error.field)),
      });
    }
  }
  if (typeof values.nom === 'string' && /\.$/.test(values.nom) && !/etc\.$/i.test(values.nom)) {
    problems.push({ severity: 'warning', ...at, field: 'nom', value: shownValue('nom', values.nom), message: 'nom should not end with a full stop (the reference warns about it)' });
  }
  const id = typeof values.id === 'string' ? values.id : undefined;
  if (problems.some((problem) => problem.severity === 'error')) return { problems: problems.map((p) => ({ ...p, id: p.id ?? producerId })), id };
  if (!result.ok) {
    // Only the source slug failed (a source the import registers): every other rule passed, strictly.
    return { record: { ...values } as unknown as StructureRecord | ServiceRecord, id, problems };
  }
  return { record: result.value, id, problems };
}

export const kindName = (kind: Kind) => (kind === 'structure' ? 'Structure' : 'Service');

/** `… is not a value of the thematiques nomenclature` + `; did you mean "…"?` for a near value (as the reference's valideur does). */
function suggest(message: string, value: unknown): string {
  const match = / is not a value of the (\w+) nomenclature$/.exec(message);
  if (!match || typeof value !== 'string') return message;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valuesOf(match[1] as NomenclatureName)) {
    const d = distance(value, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 4)) ? `${message}; did you mean "${best}"?` : message;
}
