import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { browserOrigin, originsOf } from '../auth/origins';
import { hasScope } from '../auth/viewer';
import { ErrorCode } from '../errors';
import type { Context } from '../context';
import type { Store } from '../store/database';
import { escapeHtml, sendPage, sendRefusal } from './html';

/**
 * The search widget (`/widget`): the page a partner's site embeds, in an `<iframe>` or through
 * `/widget/embed.js`. Its URL carries a widget token (`?token=`), whose client registered the origins allowed
 * to embed it (`clients add --origins`). Checked here, server-side, before anything is shown:
 * - the token is valid (a refused token gets the refusal page, never an anonymous widget);
 * - its client registered origins (a widget token without them could be copied into any site);
 * - the embedding page (`Referer`: a browser sends the embedding page's origin when it loads a frame) is one
 *   of them, or Passerelle itself;
 * and the browser enforces the same through `frame-ancestors`, which also covers pages that send no Referer.
 * The refusal page may be framed by anyone (it holds nothing), so the person sees why, in French.
 * The page then calls /graphql with the token (`searchServices`, `communes`): contacts appear only when the
 * token carries `contact:read`, the @auth directive deciding, as for any other caller.
 */
export interface WidgetHost {
  store(): Store | undefined;
  contextFor(store: Store, authorization: string | undefined): Promise<Context>;
}

const ANYONE = ['*'];

export async function serveWidget(req: IncomingMessage, res: ServerResponse, host: WidgetHost): Promise<void> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const token = params.get('token')?.trim();
  if (!token) return sendRefusal(res, 400, 'Widget sans jeton', "L'adresse du widget doit porter un jeton (token=…) délivré au site partenaire : voir « passerelle tokens issue ».", ANYONE);
  const store = host.store();
  if (!store) return sendRefusal(res, 503, 'Service en cours de démarrage', 'Passerelle démarre : réessayez dans quelques secondes.', ANYONE);
  let viewer: Context['viewer'];
  try {
    viewer = (await host.contextFor(store, `Bearer ${token}`)).viewer;
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) {
      return sendRefusal(res, 403, 'Jeton refusé', `Le jeton de ce widget n'est pas valide (${error.message}). Le site partenaire doit demander un nouveau jeton.`, ANYONE);
    }
    throw error;
  }
  const origins = originsOf(viewer);
  if (viewer.kind !== 'client' || !origins.length) {
    return sendRefusal(res, 403, 'Widget non autorisé', "Le client de ce jeton n'a déclaré aucun site autorisé à afficher le widget (passerelle clients add … --origins https://…).", ANYONE);
  }
  const { origin, self } = browserOrigin(req);
  if (origin && origin !== self && !origins.includes(origin)) {
    return sendRefusal(res, 403, 'Site non autorisé', `Ce widget n'est pas autorisé sur ${origin} : seuls ${origins.join(', ')} peuvent l'afficher.`, ANYONE);
  }
  const pageSize = Math.min(Math.max(Number(params.get('resultats')) || 10, 1), 50);
  sendPage(res, 200, {
    title: 'Trouver un service près de chez soi · Passerelle',
    script: 'widget',
    frameAncestors: ["'self'", ...origins],
    data: {
      token,
      thematiques: listParam(params.get('thematiques')),
      departement: (params.get('departement') ?? '').trim().slice(0, 3),
      resultats: String(pageSize),
      contacts: String(hasScope(viewer, 'contact:read')),
    },
    body: WIDGET_BODY(params.get('titre')?.trim().slice(0, 120) || 'Trouver un service près de chez soi'),
  });
}

function listParam(value: string | null): string {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => /^[a-z0-9-]{1,80}$/.test(v))
    .slice(0, 30)
    .join(',');
}

const WIDGET_BODY = (title: string) => `
<h1 class="fr-h3">${escapeHtml(title)}</h1>
<form id="recherche" class="fr-mb-3w" novalidate>
  <div class="pa-fieldset-inline">
    <div class="fr-input-group">
      <label class="fr-label" for="commune">Commune<span class="fr-hint-text">Nom ou code postal, puis choisissez dans la liste</span></label>
      <input class="fr-input" id="commune" name="commune" type="text" list="communes" autocomplete="off" required aria-describedby="commune-aide">
      <datalist id="communes"></datalist>
      <p id="commune-aide" class="fr-hint-text" aria-live="polite"></p>
    </div>
    <div class="fr-select-group">
      <label class="fr-label" for="categorie">Catégorie</label>
      <select class="fr-select" id="categorie" name="categorie"><option value="">Toutes les catégories</option></select>
    </div>
    <div class="fr-select-group">
      <label class="fr-label" for="distance">Distance</label>
      <select class="fr-select" id="distance" name="distance">
        <option value="5">5 km</option><option value="10">10 km</option><option value="20" selected>20 km</option><option value="50">50 km</option>
      </select>
    </div>
  </div>
  <div class="fr-checkbox-group fr-mb-2w">
    <input type="checkbox" id="a-distance" name="a-distance" checked>
    <label class="fr-label" for="a-distance">Inclure les services à distance</label>
  </div>
  <button class="fr-btn" type="submit">Rechercher</button>
</form>
<div id="etat" role="status" aria-live="polite" class="fr-mb-2w"></div>
<ol id="resultats" class="pa-results" aria-label="Services trouvés"></ol>
<button class="fr-btn fr-btn--secondary" type="button" id="plus" hidden>Afficher plus de services</button>
`;
