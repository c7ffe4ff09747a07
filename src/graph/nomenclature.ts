import { categorieOf, lookup, NOMENCLATURES, type NomenclatureName } from '../domain/nomenclatures';
import type { Resolvers } from '../generated/graphql';
import type { NomenclatureItemModel } from '../domain/models';
import { sourceOf } from './offer-fields';

/** A stored nomenclature value as an item with its label (a value unknown to the copy keeps itself as label). */
export function item(name: NomenclatureName, value: string): NomenclatureItemModel {
  return lookup(name, value) ?? { value, label: value };
}

export function items(name: NomenclatureName, values: readonly string[] | null | undefined): NomenclatureItemModel[] {
  return (values ?? []).map((v) => item(name, v));
}

export const nomenclatureResolvers: Resolvers = {
  Query: {
    nomenclatures: () => ({}),
  },
  Nomenclatures: {
    thematiques: () => [...NOMENCLATURES.thematiques],
    categories: () => [...NOMENCLATURES.thematiques_categories],
    publics: () => [...NOMENCLATURES.publics],
    frais: () => [...NOMENCLATURES.frais],
    typesServices: () => [...NOMENCLATURES.types_services],
    modesAccueil: () => [...NOMENCLATURES.modes_accueil],
    modesMobilisation: () => [...NOMENCLATURES.modes_mobilisation],
    personnesMobilisatrices: () => [...NOMENCLATURES.personnes_mobilisatrices],
    reseauxPorteurs: () => [...NOMENCLATURES.reseaux_porteurs],
  },
  NomenclatureValue: {
    description: (v) => v.description ?? null,
  },
  Thematique: {
    description: (v) => v.description ?? null,
    categorie: (t) => categorieOf(t.value) ?? { value: t.value.split('--')[0], label: t.value.split('--')[0] },
  },
  Source: {
    description: (s) => s.description ?? null,
  },
  Provenance: {
    source: (p, _, ctx) => sourceOf(p.source, ctx),
  },
};
