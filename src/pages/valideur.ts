import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Context } from '../context';
import { InputError } from '../errors';
import { sourceToWrite } from '../ingest/push';
import { importFile } from '../ingest/import';
import { FORMATS } from '../ingest/import/readers';
import type { Logger } from '../logger';
import type { Store } from '../store/database';
import { sendPage } from './html';

/**
 * The producers' valideur: `GET /valideur` (the page) and `POST /valideur/rapport` (the report). The file is the
 * request's raw body, its name in `?nom=` (the format is told by its extension, as `passerelle import`), the
 * source slug in `?source=` (default `valideur`). It is streamed into a temporary file — the import engine reads
 * a file twice, structures then services — and never past PASSERELLE_VALIDATOR_MAX_BYTES (413, in French),
 * then checked by the import engine itself with `dryRun`: the same rules, lines and messages as
 * `passerelle import`, and nothing written, not even the source. The temporary file is removed whatever
 * happens. Contact values are masked in the report by the engine; nothing of the file is logged.
 */
export const DEFAULT_VALIDATOR_MAX_BYTES = 20 * 1024 * 1024;

export interface ValideurHost {
  store(): Store | undefined;
  logger: Logger;
  validatorMaxBytes?: number;
  /** The request's context from its token (`POST /valideur/import` only). */
  contextFor?(store: Store, authorization: string | undefined): Promise<Context>;
}

/**
 * `rapport`: validation only (`dryRun`), anyone. `import`: the same file written by the same engine, for a
 * producer's token with the scope `import` and the source it writes (src/ingest/push.ts decides, as for the
 * write API); the rows that pass are written, the others reported, as `passerelle import` does.
 */
export type ValideurMode = 'rapport' | 'import';

/** A refusal of the token or the source, in French for the page, with the API's stable code. */
function refusal(error: GraphQLError): { status: number; body: { erreur: string; code: string } } {
  const code = String(error.extensions.code ?? 'FORBIDDEN');
  const status = code === 'UNAUTHENTICATED' ? 401 : code === 'BAD_USER_INPUT' ? 400 : 403;
  return { status, body: { erreur: `Import refusé : ${error.message}.`, code } };
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function serveValideurPage(res: ServerResponse, maxBytes: number): void {
  sendPage(res, 200, {
    title: 'Valideur de fichiers producteurs · Passerelle',
    script: 'valideur',
    header: true,
    data: { max: String(maxBytes) },
    body: VALIDEUR_BODY(maxBytes),
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

class TooLarge extends Error {}

/**
 * Validations running at once in this process. Reading a workbook is CPU and memory work for a public, anonymous
 * route: past this many, a request is told to retry (503, Retry-After) rather than queued, so a burst of uploads
 * cannot starve the API sharing the process.
 */
export const MAX_CONCURRENT_VALIDATIONS = 2;
let running = 0;

/** How many validations are running in this process (tests). */
export const validationsRunning = () => running;

export async function serveValidation(req: IncomingMessage, res: ServerResponse, host: ValideurHost, mode: ValideurMode = 'rapport'): Promise<void> {
  const maxBytes = host.validatorMaxBytes ?? DEFAULT_VALIDATOR_MAX_BYTES;
  const tooLarge = { erreur: `Le fichier dépasse la taille maximale de ${megabytes(maxBytes)} : découpez-le ou importez-le avec « passerelle import ».` };
  if (req.method !== 'POST') return sendJson(res, 405, { erreur: 'Envoyez le fichier en POST.' });
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const name = path.basename(params.get('nom') ?? '').slice(0, 200);
  const extension = path.extname(name).toLowerCase();
  if (!FORMATS[extension]) return sendJson(res, 415, { erreur: `Format non reconnu (${name || 'fichier sans nom'}) : le valideur lit les fichiers .csv, .xlsx, .json et .ndjson.` });
  const named = params.get('source')?.trim() || undefined;
  let source = named ?? 'valideur';
  if (!SLUG.test(source)) return sendJson(res, 400, { erreur: `La source « ${source.slice(0, 40)} » n'est pas un identifiant (lettres minuscules, chiffres et tirets, par exemple cd35).` });
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    res.setHeader('connection', 'close');
    return sendJson(res, 413, tooLarge);
  }
  const store = host.store();
  if (!store) return sendJson(res, 503, { erreur: 'Passerelle démarre : réessayez dans quelques secondes.' });
  if (mode === 'import') {
    // Who writes, and which source, is settled before a byte of the file is read.
    if (!req.headers.authorization || !host.contextFor) {
      req.resume();
      return sendJson(res, 401, { erreur: "Importer demande le jeton d'un client producteur (portée import) : collez-le dans le champ « Jeton producteur ».", code: 'UNAUTHENTICATED' });
    }
    try {
      const context = await host.contextFor(store, req.headers.authorization);
      source = sourceToWrite(context.viewer, named);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      req.resume();
      const { status, body } = refusal(error);
      return sendJson(res, status, body);
    }
  }
  if (running >= MAX_CONCURRENT_VALIDATIONS) {
    req.resume();
    res.setHeader('retry-after', '5');
    return sendJson(res, 503, { erreur: "Le valideur traite déjà d'autres fichiers : réessayez dans quelques secondes." });
  }
  running += 1;
  try {
    return await validate(req, res, { store, name, extension, source, maxBytes, logger: host.logger, tooLarge, dryRun: mode === 'rapport' });
  } finally {
    running -= 1;
  }
}

async function validate(
  req: IncomingMessage,
  res: ServerResponse,
  { store, name, extension, source, maxBytes, logger, tooLarge, dryRun }: { store: Store; name: string; extension: string; source: string; maxBytes: number; logger: Logger; tooLarge: { erreur: string }; dryRun: boolean },
): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'passerelle-valideur-'));
  const file = path.join(dir, `fichier${extension}`);
  try {
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > maxBytes) return callback(new TooLarge());
        callback(null, chunk);
      },
    });
    try {
      await pipeline(req, limit, fs.createWriteStream(file));
    } catch (error) {
      if (error instanceof TooLarge) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, tooLarge);
      }
      throw error;
    }
    if (received === 0) return sendJson(res, 400, { erreur: 'Le fichier est vide.' });
    try {
      const report = await importFile(store, file, dryRun ? { source, sourceName: 'Valideur', dryRun } : { source, sourceName: source });
      return sendJson(res, 200, { ...report, file: name });
    } catch (error) {
      // An unreadable file (not a workbook, broken JSON, a CSV without header): the engine's reason, never the content.
      const reason = error instanceof InputError ? error.message.replace(file, name) : 'the file could not be read';
      if (!(error instanceof InputError)) logger.warn({ err: { name: (error as Error).name } }, 'valideur: an unreadable file');
      return sendJson(res, 422, { erreur: `Le fichier ${name} n'a pas pu être lu : ${reason}.` });
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

const VALIDEUR_BODY = (maxBytes: number) => `
<h1>Valideur de fichiers producteurs</h1>
<p class="fr-text--lead">Déposez votre fichier d'offre (modèle producteur de data·inclusion) : le valideur affiche chaque défaut que l'import signalerait, ligne par ligne. Rien n'est enregistré.</p>
<form id="valideur" class="fr-mb-4w" novalidate>
  <div class="fr-upload-group fr-mb-2w">
    <label class="fr-label" for="fichier">Fichier à valider
      <span class="fr-hint-text">Formats : CSV, XLSX (le modèle producteur), JSON ou NDJSON. Taille maximale : ${megabytes(maxBytes)}.</span>
    </label>
    <input class="fr-upload" type="file" id="fichier" name="fichier" accept=".csv,.xlsx,.json,.ndjson,.jsonl" required>
  </div>
  <div class="fr-input-group fr-mb-2w">
    <label class="fr-label" for="source">Identifiant de la source (facultatif)
      <span class="fr-hint-text">Par exemple cd35 ; les identifiants du fichier en reçoivent le préfixe.</span>
    </label>
    <input class="fr-input" type="text" id="source" name="source" pattern="[a-z0-9-]+" autocomplete="off">
  </div>
  <div class="fr-input-group fr-mb-2w">
    <label class="fr-label" for="jeton">Jeton producteur (facultatif)
      <span class="fr-hint-text">Avec le jeton d'un client producteur (portée import) et l'identifiant de sa source, un bouton importe les lignes valides après la validation. Le jeton n'est envoyé qu'à l'import.</span>
    </label>
    <input class="fr-input" type="password" id="jeton" name="jeton" autocomplete="off">
  </div>
  <button class="fr-btn" type="submit">Valider le fichier</button>
</form>
<div id="etat" role="status" aria-live="polite"></div>
<div id="rapport"></div>
`;
