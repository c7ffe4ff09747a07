import type { Route } from '../route';
import type { Logger } from '../logger';
import type { Context } from '../context';
import type { Store } from '../store/database';
import { servePageAsset } from './assets';
import { sendPage } from './html';
import { DEFAULT_VALIDATOR_MAX_BYTES, serveValidation, serveValideurPage } from './valideur';
import { serveWidget } from './widget';
import { QUALITE_BODY } from './qualite';

/** What the pages need of the application (src/http/routes.ts's host provides it). */
export interface PagesHost {
  store(): Store | undefined;
  logger: Logger;
  validatorMaxBytes?: number;
  contextFor(store: Store, authorization: string | undefined): Promise<Context>;
}

/** The pages for people (src/pages/): the search widget, the producers' valideur, the data-quality dashboard, and their files. */
export function pageRoutes(host: PagesHost): Route[] {
  const maxBytes = host.validatorMaxBytes ?? DEFAULT_VALIDATOR_MAX_BYTES;
  return [
    {
      path: '/widget',
      methods: ['GET', 'HEAD'],
      auth: 'optional-token',
      description: "The search widget a partner's site embeds (?token= a widget token of a client with origins; thematiques, departement, resultats, titre).",
      handler: (req, res) => serveWidget(req, res, host),
    },
    {
      path: '/widget/embed.js',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: "The widget's <script> snippet: puts the widget's iframe where the script stands.",
      handler: (req, res) => servePageAsset(res, 'embed.js', req),
    },
    {
      path: '/valideur',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: "The producers' valideur: drop a file, see every defect the import would report.",
      handler: (_req, res) => serveValideurPage(res, maxBytes),
    },
    {
      path: '/valideur/rapport',
      methods: ['POST'],
      auth: 'public',
      description: 'Validates the file in the body (?nom= its name, ?source= a slug) with the import engine, writing nothing; the report as JSON.',
      handler: (req, res) => serveValidation(req, res, { ...host, validatorMaxBytes: maxBytes }),
    },
    {
      path: '/valideur/import',
      methods: ['POST'],
      auth: 'token',
      description: "Imports the file in the body (?nom=, ?source=) for a producer's token with the scope import and that source: the valid rows are written, as passerelle import writes them; the report as JSON.",
      handler: (req, res) => serveValidation(req, res, { ...host, validatorMaxBytes: maxBytes }, 'import'),
    },
    {
      path: '/qualite',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: 'The data-quality dashboard (a client of /graphql: tableauQualite).',
      handler: (_req, res) => sendPage(res, 200, { title: 'Qualité des données · Passerelle', script: 'qualite', header: true, body: QUALITE_BODY }),
    },
    {
      path: '/assets/pages/{file*}',
      methods: ['GET', 'HEAD'],
      auth: 'public',
      description: "The pages' scripts, stylesheet (the DSFR's) and fonts, from dist/pages/.",
      handler: (req, res, params) => servePageAsset(res, params.file, req),
    },
  ];
}
