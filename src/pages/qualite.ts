/**
 * The data-quality dashboard's shell (`/qualite`): the page is a client of Passerelle's own API; its script
 * (web/qualite.ts) asks `tableauQualite` and draws each chart with its data table.
 */
export const QUALITE_BODY = `
<h1>Qualité des données</h1>
<p class="fr-text--lead">L'offre publique de Passerelle par source et par département : volumes, scores de qualité, fraîcheur, doublons et territoires peu couverts. Les sources à diffusion restreinte ne sont pas comptées.</p>
<div id="etat" role="status" aria-live="polite">Chargement des chiffres…</div>
<div id="tableau"></div>
`;
