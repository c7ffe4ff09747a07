/** What dedup (src/dedup/) reads of the offer: plain shapes, shared by the store that reads them and the model. */

/** The columns dedup reads of a structure. */
export interface DedupRecord {
  id: string;
  source: string;
  nom: string;
  siret: string | null;
  commune: string | null;
  codePostal: string | null;
  codeInsee: string | null;
  adresse: string | null;
  latitude: number | null;
  longitude: number | null;
  telephone: string | null;
  courriel: string | null;
  /** Ids data·inclusion published as the same place (its `doublons`): accepted links. */
  doublons: readonly string[];
}

/** What service matching reads of a service. */
export interface DedupService {
  id: string;
  structureId: string;
  nom: string;
  thematiques: readonly string[];
}
