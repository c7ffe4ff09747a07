// The data·inclusion v1 nomenclatures (référentiels) the project serves, with typed access.
// nomenclatures.json is the project's own copy of the reference values (see test/domain/nomenclatures.test.ts).
import data from './nomenclatures.json';

export interface NomenclatureItem {
  value: string;
  label: string;
  description?: string;
}

export type NomenclatureName =
  | 'thematiques'
  | 'thematiques_categories'
  | 'frais'
  | 'publics'
  | 'modes_accueil'
  | 'modes_mobilisation'
  | 'personnes_mobilisatrices'
  | 'reseaux_porteurs'
  | 'types_services'
  | 'sources';

export const NOMENCLATURE_NAMES: readonly NomenclatureName[] = [
  'thematiques',
  'thematiques_categories',
  'frais',
  'publics',
  'modes_accueil',
  'modes_mobilisation',
  'personnes_mobilisatrices',
  'reseaux_porteurs',
  'types_services',
  'sources',
];

export const NOMENCLATURES: Readonly<Record<NomenclatureName, readonly NomenclatureItem[]>> = data;

/** The current data sources (producers): `value` is the slug used as id prefix, `label` its name. */
export const SOURCES: readonly NomenclatureItem[] = NOMENCLATURES.sources;

const indexes = new Map<NomenclatureName, Map<string, NomenclatureItem>>(
  NOMENCLATURE_NAMES.map((name) => [name, new Map(NOMENCLATURES[name].map((item) => [item.value, item]))]),
);

/** The values of one nomenclature, in reference order. */
export function valuesOf(name: NomenclatureName): string[] {
  return NOMENCLATURES[name].map((item) => item.value);
}

export function lookup(name: NomenclatureName, value: string): NomenclatureItem | undefined {
  return indexes.get(name)?.get(value);
}

export function isValue(name: NomenclatureName, value: unknown): value is string {
  return typeof value === 'string' && (indexes.get(name)?.has(value) ?? false);
}

/** The category of a thématique (`categorie--sous-thematique` → the `categorie` item), or undefined. */
export function categorieOf(thematique: string): NomenclatureItem | undefined {
  const separator = thematique.indexOf('--');
  if (separator <= 0) return undefined;
  return lookup('thematiques_categories', thematique.slice(0, separator));
}

/**
 * Expands a list of thématiques and/or categories (as API filters accept) into thématiques: a category
 * becomes all its thématiques; thématiques are kept; unknown values are dropped. No duplicates, input order.
 */
export function expandThematiques(values: readonly string[]): string[] {
  const result = new Set<string>();
  for (const value of values) {
    if (isValue('thematiques', value)) result.add(value);
    else if (isValue('thematiques_categories', value)) {
      for (const item of NOMENCLATURES.thematiques) {
        if (item.value.startsWith(`${value}--`)) result.add(item.value);
      }
    }
  }
  return [...result];
}
