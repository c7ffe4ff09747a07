/**
 * Emplois de l'inclusion `kind` → v1 `reseaux_porteurs`, as data·inclusion maps it.
 *
 * Transcribed once, row for row, from gip-inclusion/data-inclusion
 * `pipeline/dbt/models/intermediate/v1/001_mappings/emplois_de_linclusion/_map_emplois__reseaux_porteurs_v1.sql`
 * at commit d4969e37319c7c43732fb84e77bf8a030321f781 (2026-06-30). `null`: a kind data·inclusion lists and
 * deliberately gives no réseau. data·inclusion joins on the exact kind (`structures.kind = mapping.kind`).
 *
 * The kinds themselves are les-emplois' `CompanyKind` (itou/companies/enums.py) and
 * `PrescriberOrganizationKind` (itou/prescribers/enums.py) at commit 543eae8d2d547947d3e3ead6dbb2e9668c16db44.
 * Note: data·inclusion's row `OTHER` never matches, the real value of that kind is `Autre`; both give no réseau.
 */
export const DI_KIND_TO_RESEAU: Readonly<Record<string, string | null>> = {
  ACI: 'aci',
  AFPA: 'afpa',
  ASE: 'ase',
  CAARUD: 'caarud',
  CADA: 'cada',
  CAF: 'caf',
  CAP_EMPLOI: 'cap-emploi-reseau-cheops',
  CAVA: 'cava',
  CCAS: 'ccas-cias',
  CHRS: 'chrs',
  CHU: 'chu',
  CIDFF: 'cidff',
  CPH: 'cph',
  CSAPA: 'csapa',
  DEPT: 'departements',
  E2C: 'ecoles-de-la-deuxieme-chance',
  EA: 'ea',
  EATT: 'eatt',
  EI: 'ei',
  EITI: 'eiti',
  EPIDE: 'epide',
  ETTI: 'etti',
  FT: 'france-travail',
  GEIQ: 'geiq',
  HUDA: 'huda',
  ML: 'mission-locale',
  MSA: 'mutualite-sociale-agricole',
  OACAS: null,
  OCASF: null,
  OHPD: null,
  OIL: null,
  OTHER: null,
  PENSION: null,
  PJJ: 'pjj',
  PLIE: 'plie',
  PREVENTION: null,
  RS_FJT: 'residences-fjt',
  SPIP: 'spip',
};

/**
 * Passerelle's additions, for current kinds data·inclusion's table does not list (it leaves them without a
 * réseau: AI, PIJ_BIJ, OPCS, ODC, Orienteur, Autre). Only where the v1 value names exactly that kind:
 * - `AI` is an "Association intermédiaire" (CompanyKind.AI), the v1 réseau `ai` "Associations Intermédiaires";
 *   the SIAE staging model accepts AI, and its absence from the table looks like an oversight.
 * - `PIJ_BIJ` is a "Point/Bureau information jeunesse", the labelled structures of the v1 réseau
 *   `reseau-information-jeunesse`.
 * Former Passerelle rows for kinds Emplois no longer has (`PE`, `MDPH`) are gone.
 */
export const PASSERELLE_KIND_TO_RESEAU: Readonly<Record<string, string>> = {
  AI: 'ai',
  PIJ_BIJ: 'reseau-information-jeunesse',
};

/** The v1 réseau of an Emplois kind (exact, trimmed), or undefined. */
export function reseauOfKind(kind: string | undefined): string | undefined {
  if (!kind) return undefined;
  if (Object.hasOwn(DI_KIND_TO_RESEAU, kind)) return DI_KIND_TO_RESEAU[kind] ?? undefined;
  return Object.hasOwn(PASSERELLE_KIND_TO_RESEAU, kind) ? PASSERELLE_KIND_TO_RESEAU[kind] : undefined;
}
