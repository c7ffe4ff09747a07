// What a webhook (or a subscription) asks to hear about: a documented subset of the graph's ServiceFilter, applied
// to a change of the feed. Fields of the record (public v1 shape, as the change feed gives it):
// - `sources`: the record's source is one of them;
// - `codeDepartement`: the record's code_insee is in that département (its first 2 characters, 3 overseas);
// - `codeCommune`: the record's code_insee is that commune;
// - `thematiques`: a service with one of them (a catégorie, `mobilite`, stands for all its thématiques);
//   a structure never matches a filter on thématiques;
// - `entities`: `structure`, `service` (default both).
// A deletion carries no record: it matches when its source and entity do (the receiver ignores an id it never held).
import { z } from 'zod';
import { expandThematiques, isValue } from '../domain/nomenclatures';

export const ChangeFilterSchema = z
  .object({
    sources: z.array(z.string().min(1)).max(100).optional(),
    codeDepartement: z.string().regex(/^(\d{2}|2A|2B|97\d)$/, 'a département code: 59, 2A, 974').optional(),
    codeCommune: z.string().regex(/^[0-9AB]{5}$/, 'an INSEE commune code: 59350').optional(),
    thematiques: z
      .array(z.string().refine((v) => isValue('thematiques', v) || isValue('thematiques_categories', v), 'not a thématique or a catégorie of the nomenclature'))
      .max(200)
      .optional(),
    entities: z.array(z.enum(['structure', 'service'])).optional(),
  })
  .strict();

export type ChangeFilter = z.infer<typeof ChangeFilterSchema>;

/** The filter, checked; a message naming the bad key otherwise. */
export function parseChangeFilter(value: unknown): { ok: true; filter: ChangeFilter } | { ok: false; message: string } {
  const result = ChangeFilterSchema.safeParse(value ?? {});
  if (result.success) return { ok: true, filter: result.data };
  return { ok: false, message: result.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; ') };
}

/** What a filter is matched against: one change with the record's public fields (null for a deletion). */
export interface MatchableChange {
  entity: 'structure' | 'service';
  source: string;
  record: Record<string, unknown> | null;
}

export function matchesFilter(filter: ChangeFilter, change: MatchableChange): boolean {
  if (filter.entities && !filter.entities.includes(change.entity)) return false;
  if (filter.sources && !filter.sources.includes(change.source)) return false;
  const record = change.record;
  if (!record) return true;
  const codeInsee = typeof record.code_insee === 'string' ? record.code_insee : undefined;
  if (filter.codeCommune !== undefined && codeInsee !== filter.codeCommune) return false;
  if (filter.codeDepartement !== undefined) {
    const length = filter.codeDepartement.startsWith('97') ? 3 : 2;
    if (!codeInsee || codeInsee.slice(0, length) !== filter.codeDepartement) return false;
  }
  if (filter.thematiques && filter.thematiques.length) {
    if (change.entity !== 'service') return false;
    const wanted = new Set(expandThematiques(filter.thematiques));
    const has = Array.isArray(record.thematiques) ? (record.thematiques as string[]) : [];
    if (!has.some((t) => wanted.has(t))) return false;
  }
  return true;
}
