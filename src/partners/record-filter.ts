import type { Commune } from '../generated/prisma/client';
import type { ServiceModel } from '../domain/models';
import type { OfferFilter } from '../store/offer-filter';
import { sourceOfId } from '../domain/ids';

/**
 * The store's filter semantics (src/store/offer-query.ts) applied in memory to live partner records,
 * which a partner may have filtered only partly (each pushes down what its API supports).
 * `communeOf` gives the commune of a record's code_insee; `reseauxOf` its structure's réseaux porteurs.
 */
export function serviceMatches(
  service: ServiceModel,
  f: OfferFilter,
  communeOf: (code: string) => Commune | null | undefined,
  reseauxOf: (structureId: string) => readonly string[] | undefined,
): boolean {
  const overlaps = (values: readonly string[] | undefined, wanted: readonly string[] | undefined) =>
    !wanted?.length || (values ?? []).some((v) => wanted.includes(v));
  if (f.sources?.length && !f.sources.includes(service.source)) return false;
  if (f.hiddenSources?.length && (f.hiddenSources.includes(service.source) || f.hiddenSources.includes(sourceOfId(service.structureId)))) {
    return false;
  }
  if (!overlaps(service.thematiques, f.thematiques)) return false;
  if (!overlaps(service.publics, f.publics)) return false;
  if (!overlaps(service.modesAccueil, f.modesAccueil)) return false;
  if (f.frais?.length && !(service.frais && f.frais.includes(service.frais))) return false;
  if (f.types?.length && !(service.type && f.types.includes(service.type))) return false;
  if (f.scoreQualiteMin !== undefined && !((service.scoreQualite ?? -1) >= f.scoreQualiteMin)) return false;
  if (f.updatedSince && service.updatedAt < f.updatedSince) return false;
  if (f.reseauxPorteurs?.length && !overlaps(reseauxOf(service.structureId), f.reseauxPorteurs)) return false;
  if (f.codeCommune || f.codeEpci || f.codeDepartement || f.codeRegion) {
    const commune = service.codeInsee ? communeOf(service.codeInsee.trim()) : undefined;
    if (!commune) return false;
    const parent = commune.parentCode ? communeOf(commune.parentCode) : undefined;
    if (f.codeCommune && commune.code !== f.codeCommune && commune.parentCode !== f.codeCommune) return false;
    if (f.codeEpci && (commune.epciCode ?? parent?.epciCode) !== f.codeEpci) return false;
    if (f.codeDepartement && commune.departementCode !== f.codeDepartement) return false;
    if (f.codeRegion && commune.regionCode !== f.codeRegion) return false;
  }
  return true;
}
