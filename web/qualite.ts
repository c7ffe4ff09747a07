import { byId, frenchNumber, h } from './dom';
import { graphql } from './graphql';
import { barChart, chartWithTable, dataTable } from './charts';

/** The data-quality dashboard (src/pages/qualite.ts): a client of /graphql (`tableauQualite`, cached on the server). */
const QUERY = `query TableauQualite {
  tableauQualite {
    jour structures services scoreMoyen servicesSansScore
    criteres { nom moyenne services }
    parSource { slug nom structures services scoreMoyen fraicheur { fresh toCheck stale } }
    parDepartement { code nom structures services scoreMoyen }
    scores { min max services }
    fraicheur { fresh toCheck stale }
    doublons { clustersStructures structuresEnDoublon clustersServices servicesEnDoublon }
    thematiquesPeuCouvertes { value label services }
    departementsPeuCouverts { code nom structures services }
  }
}`;

interface Freshness {
  fresh: number;
  toCheck: number;
  stale: number;
}

interface Tableau {
  jour: string;
  structures: number;
  services: number;
  scoreMoyen: number | null;
  servicesSansScore: number;
  criteres: { nom: string; moyenne: number | null; services: number }[];
  parSource: { slug: string; nom: string; structures: number; services: number; scoreMoyen: number | null; fraicheur: Freshness }[];
  parDepartement: { code: string; nom: string; structures: number; services: number; scoreMoyen: number | null }[];
  scores: { min: number; max: number; services: number }[];
  fraicheur: Freshness;
  doublons: { clustersStructures: number; structuresEnDoublon: number; clustersServices: number; servicesEnDoublon: number };
  thematiquesPeuCouvertes: { value: string; label: string; services: number }[];
  departementsPeuCouverts: { code: string; nom: string; structures: number; services: number }[];
}

/** The score's criteria in French (data·inclusion's names). */
const CRITERES: Record<string, string> = {
  adresse_bien_definie: 'Adresse bien définie',
  modes_mobilisation_bien_definis: 'Modes de mobilisation définis',
  au_moins_un_public: 'Au moins un public',
  au_moins_une_thematique: 'Au moins une thématique',
  au_moins_un_moyen_de_contact: 'Au moins un moyen de contact',
  courriel_bien_defini: 'Courriel bien défini',
  date_maj_recente: 'Mise à jour récente',
  frais_bien_definis: 'Frais bien définis',
  description_bien_definie: 'Description bien définie',
  telephone_bien_defini: 'Téléphone bien défini',
};

const status = byId('etat');
const output = byId('tableau');
const score = (v: number | null) => (v === null ? null : v.toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const band = (min: number, max: number) => `${score(min)} – ${score(max)}`;

async function load(): Promise<void> {
  let t: Tableau;
  try {
    t = (await graphql<{ tableauQualite: Tableau }>(QUERY)).tableauQualite;
  } catch (error) {
    status.textContent = `Les chiffres n'ont pas pu être chargés : ${(error as Error).message}`;
    return;
  }
  const withOffer = t.parDepartement.filter((d) => d.services > 0 || d.structures > 0);
  output.append(
    dataTable(`Vue d'ensemble au ${new Date(t.jour).toLocaleDateString('fr-FR')}`, ['Indicateur', 'Valeur'], [
      ['Structures', t.structures],
      ['Services', t.services],
      ['Score de qualité moyen des services', score(t.scoreMoyen)],
      ['Services sans score', t.servicesSansScore],
      ['Groupes de structures en doublon', t.doublons.clustersStructures],
      ['Structures dans un groupe de doublons', t.doublons.structuresEnDoublon],
      ['Groupes de services en doublon', t.doublons.clustersServices],
      ['Services dans un groupe de doublons', t.doublons.servicesEnDoublon],
    ]),
    chartWithTable(
      'Services par source',
      barChart('Nombre de services par source', t.parSource.map((s) => ({ label: s.nom, value: s.services }))),
      dataTable('Offre, score et fraîcheur par source', ['Source', 'Structures', 'Services', 'Score moyen', 'À jour', 'À vérifier', 'Anciens'], t.parSource.map((s) => [s.nom, s.structures, s.services, score(s.scoreMoyen), s.fraicheur.fresh, s.fraicheur.toCheck, s.fraicheur.stale])),
    ),
    chartWithTable(
      'Distribution des scores de qualité',
      barChart('Nombre de services par tranche de score de qualité', t.scores.map((s) => ({ label: band(s.min, s.max), value: s.services }))),
      dataTable('Services par tranche de score (la dernière tranche inclut 1)', ['Tranche de score', 'Services'], t.scores.map((s) => [band(s.min, s.max), s.services])),
    ),
    chartWithTable(
      'Critères du score de qualité',
      barChart('Moyenne de chaque critère du score de qualité, en pourcentage', t.criteres.map((c) => ({ label: CRITERES[c.nom] ?? c.nom, value: Math.round((c.moyenne ?? 0) * 100) })), { unit: '%' }),
      dataTable('Moyenne de chaque critère sur les services où il s’applique', ['Critère', 'Moyenne', 'Services concernés'], t.criteres.map((c) => [CRITERES[c.nom] ?? c.nom, score(c.moyenne), c.services])),
    ),
    chartWithTable(
      'Fraîcheur des services',
      barChart('Nombre de services selon la date de leur dernière mise à jour', [
        { label: 'À jour', value: t.fraicheur.fresh },
        { label: 'À vérifier', value: t.fraicheur.toCheck },
        { label: 'Anciens', value: t.fraicheur.stale },
      ], { alt: true }),
      dataTable('Services par fraîcheur', ['Fraîcheur', 'Services'], [['À jour', t.fraicheur.fresh], ['À vérifier', t.fraicheur.toCheck], ['Anciens', t.fraicheur.stale]]),
    ),
    chartWithTable(
      'Départements les mieux couverts',
      barChart('Nombre de services des dix départements qui en ont le plus', [...withOffer].sort((a, b) => b.services - a.services).slice(0, 10).map((d) => ({ label: `${d.nom} (${d.code})`, value: d.services }))),
      dataTable('Offre par département (départements ayant une offre)', ['Département', 'Structures', 'Services', 'Score moyen'], withOffer.map((d) => [`${d.nom} (${d.code})`, d.structures, d.services, score(d.scoreMoyen)])),
    ),
    h('h2', { class: 'fr-h4' }, 'Territoires et thématiques peu couverts'),
    dataTable('Départements ayant le moins de services', ['Département', 'Structures', 'Services'], t.departementsPeuCouverts.map((d) => [`${d.nom} (${d.code})`, d.structures, d.services])),
    dataTable('Thématiques ayant le moins de services', ['Thématique', 'Services'], t.thematiquesPeuCouvertes.map((x) => [x.label, x.services])),
  );
  status.textContent = `Chiffres chargés : ${frenchNumber.format(t.services)} services, ${frenchNumber.format(t.structures)} structures.`;
}

void load();
