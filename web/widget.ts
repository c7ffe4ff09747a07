import { byId, frenchNumber, h } from './dom';
import { graphql } from './graphql';

/**
 * The search widget (src/pages/widget.ts serves its page): a commune (autocomplete by name or postal code),
 * a catégorie or thématique, a distance; the services a person living there can use, in the order
 * `searchServices` gives them (distance, then the remote services). Results are announced in a live region.
 */
const main = byId('contenu');
const token = main.dataset.token ?? '';
const presets = (main.dataset.thematiques ?? '').split(',').filter(Boolean);
const departement = main.dataset.departement ?? '';
const pageSize = Number(main.dataset.resultats) || 10;

const form = byId<HTMLFormElement>('recherche');
const communeInput = byId<HTMLInputElement>('commune');
const communeList = byId<HTMLDataListElement>('communes');
const communeHelp = byId('commune-aide');
const categorie = byId<HTMLSelectElement>('categorie');
const distance = byId<HTMLSelectElement>('distance');
const remote = byId<HTMLInputElement>('a-distance');
const status = byId('etat');
const results = byId<HTMLOListElement>('resultats');
const more = byId<HTMLButtonElement>('plus');

interface CommuneNode {
  code: string;
  nom: string;
  codesPostaux: string[];
  departement: { code: string; nom: string };
}

/** What the person can pick: the option's text → the commune. */
const candidates = new Map<string, CommuneNode>();
const optionText = (c: CommuneNode) => `${c.nom} (${c.codesPostaux[0] ?? c.departement.code}) – ${c.departement.nom}`;

const COMMUNES = `query WidgetCommunes($search: String!) {
  communes(search: $search, first: 20) { nodes { code nom codesPostaux departement { code nom } } }
}`;

let typing: ReturnType<typeof setTimeout> | undefined;
communeInput.addEventListener('input', () => {
  clearTimeout(typing);
  const text = communeInput.value.trim();
  if (candidates.has(text) || text.length < 2) return;
  typing = setTimeout(() => void suggest(text), 200);
});

async function suggest(text: string): Promise<void> {
  const search = text.replace(/\s*\(.*$/, '');
  const data = await graphql<{ communes: { nodes: CommuneNode[] } }>(COMMUNES, { search }, token).catch(() => undefined);
  if (!data) return;
  const nodes = data.communes.nodes.filter((c) => !departement || c.departement.code === departement).slice(0, 10);
  communeList.replaceChildren(...nodes.map((c) => h('option', { value: optionText(c) })));
  for (const c of nodes) candidates.set(optionText(c), c);
  communeHelp.textContent = nodes.length ? `${nodes.length} commune${nodes.length > 1 ? 's' : ''} proposée${nodes.length > 1 ? 's' : ''}` : 'Aucune commune ne correspond';
}

async function chosenCommune(): Promise<CommuneNode | undefined> {
  const text = communeInput.value.trim();
  const known = candidates.get(text);
  if (known) return known;
  if (text.length < 2) return undefined;
  await suggest(text);
  const options = [...candidates.entries()].filter(([label]) => label.toLowerCase().startsWith(text.toLowerCase()) || label.includes(`(${text})`));
  return options.length ? options[0][1] : undefined;
}

const NOMENCLATURES = `query WidgetNomenclatures { nomenclatures { categories { value label } thematiques { value label } } }`;

async function fillCategories(): Promise<void> {
  const data = await graphql<{ nomenclatures: { categories: { value: string; label: string }[]; thematiques: { value: string; label: string }[] } }>(NOMENCLATURES, {}, token);
  const items = presets.length ? data.nomenclatures.thematiques.filter((t) => presets.includes(t.value)).concat(data.nomenclatures.categories.filter((c) => presets.includes(c.value))) : data.nomenclatures.categories;
  if (presets.length) categorie.options[0].textContent = 'Toutes les thématiques proposées';
  categorie.append(...items.map((item) => h('option', { value: item.value }, item.label)));
}

const SEARCH = `query WidgetSearch($near: SearchNear!, $distanceKm: Float, $filter: ServiceFilter, $first: Int, $after: String) {
  searchServices(near: $near, distanceKm: $distanceKm, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      distance
      node {
        id nom lienSource adresse codePostal commune
        frais { label }
        fraicheur { verdict }
        modesAccueil { value }
        source { nom }
        structure { nom adresse codePostal commune }
        telephone courriel contactNomPrenom
      }
    }
  }
}`;

interface ServiceNode {
  id: string;
  nom: string;
  lienSource: string | null;
  adresse: string | null;
  codePostal: string | null;
  commune: string | null;
  frais: { label: string } | null;
  fraicheur: { verdict: 'FRESH' | 'TO_CHECK' | 'STALE' };
  modesAccueil: { value: string }[];
  source: { nom: string };
  structure: { nom: string; adresse: string | null; codePostal: string | null; commune: string | null };
  telephone: string | null;
  courriel: string | null;
  contactNomPrenom: string | null;
}

interface SearchAnswer {
  searchServices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { distance: number | null; node: ServiceNode }[] };
}

let current: { variables: Record<string, unknown>; after: string | null; shown: number; place: string } | undefined;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void search();
});
more.addEventListener('click', () => void page());

async function search(): Promise<void> {
  const commune = await chosenCommune();
  if (!commune) {
    communeInput.setAttribute('aria-invalid', 'true');
    status.textContent = 'Choisissez une commune dans la liste proposée (tapez son nom ou son code postal).';
    communeInput.focus();
    return;
  }
  communeInput.removeAttribute('aria-invalid');
  communeInput.value = optionText(commune);
  const filter: Record<string, unknown> = {};
  const thematiques = categorie.value ? [categorie.value] : presets;
  if (thematiques.length) filter.thematiques = thematiques;
  if (!remote.checked) filter.modesAccueil = ['en-presentiel'];
  current = { variables: { near: { codeCommune: commune.code }, distanceKm: Number(distance.value), filter, first: pageSize }, after: null, shown: 0, place: `${commune.nom} (${commune.codesPostaux[0] ?? commune.code})` };
  results.replaceChildren();
  status.textContent = 'Recherche en cours…';
  await page();
}

async function page(): Promise<void> {
  if (!current) return;
  const search = current;
  more.hidden = true;
  let data: SearchAnswer;
  try {
    data = await graphql<SearchAnswer>(SEARCH, { ...search.variables, after: search.after }, token);
  } catch (error) {
    status.textContent = `La recherche a échoué : ${(error as Error).message}`;
    return;
  }
  const { totalCount, pageInfo, edges } = data.searchServices;
  results.append(...edges.map((edge) => h('li', {}, card(edge.node, edge.distance))));
  search.after = pageInfo.endCursor;
  search.shown += edges.length;
  more.hidden = !pageInfo.hasNextPage;
  status.textContent = totalCount
    ? `${frenchNumber.format(totalCount)} service${totalCount > 1 ? 's' : ''} pour une personne habitant ${search.place} ; ${frenchNumber.format(search.shown)} affiché${search.shown > 1 ? 's' : ''}.`
    : `Aucun service trouvé pour une personne habitant ${search.place}.`;
}

const FRESHNESS = {
  FRESH: ['fr-badge--success', 'Information à jour'],
  TO_CHECK: ['fr-badge--warning', 'Information à vérifier'],
  STALE: ['fr-badge--error', 'Information ancienne'],
} as const;

function card(service: ServiceNode, metres: number | null): HTMLElement {
  const where = [service.adresse ?? service.structure.adresse, [service.codePostal ?? service.structure.codePostal, service.commune ?? service.structure.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const [freshClass, freshLabel] = FRESHNESS[service.fraicheur.verdict];
  const away = metres === null ? 'À distance' : metres < 1000 ? `À ${metres} m` : `À ${(metres / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;
  const contacts = [service.contactNomPrenom, service.telephone, service.courriel].filter((v): v is string => !!v);
  return h(
    'article',
    { class: 'pa-service', 'data-id': service.id },
    h('h3', {}, service.nom),
    h('p', {}, h('strong', {}, service.structure.nom)),
    where ? h('p', {}, where) : null,
    h(
      'p',
      { class: 'pa-meta' },
      h('span', { class: 'fr-text--bold fr-mr-1w' }, away),
      service.frais ? h('span', { class: 'fr-badge fr-badge--no-icon' }, service.frais.label) : null,
      h('span', { class: `fr-badge ${freshClass}` }, freshLabel),
    ),
    contacts.length ? h('p', {}, `Contact : ${contacts.join(' · ')}`) : null,
    h(
      'p',
      { class: 'fr-text--sm' },
      `Source : ${service.source.nom}`,
      service.lienSource ? ' · ' : null,
      service.lienSource ? h('a', { class: 'fr-link fr-link--sm', href: service.lienSource, target: '_blank', rel: 'noopener noreferrer', title: `Voir la fiche de ${service.nom} chez ${service.source.nom} (nouvelle fenêtre)` }, 'Voir la fiche') : null,
    ),
  );
}

void fillCategories().catch((error: Error) => {
  status.textContent = `Les catégories n'ont pu être chargées : ${error.message}`;
});
