import { byId, frenchNumber, h } from './dom';

/**
 * The valideur's page (src/pages/valideur.ts serves it): sends the file as the request's body, then shows the
 * import engine's report: a summary, the errors grouped by field, the warnings apart, and the report to
 * download as CSV or JSON (made here, from the answer: nothing is kept on the server).
 */
interface Problem {
  severity: 'error' | 'warning';
  kind?: 'structure' | 'service';
  sheet?: string;
  line?: number;
  column?: string;
  id?: string;
  field?: string;
  value?: string;
  message: string;
}

interface Report {
  file: string;
  format: string;
  source: string;
  dryRun: boolean;
  summary: { read: number; valid: number; written: number; unchanged: number; rejected: number; ignored: number; errors: number; warnings: number };
  errors: Problem[];
  warnings: Problem[];
  unlisted: { errors: number; warnings: number };
}

const form = byId<HTMLFormElement>('valideur');
const input = byId<HTMLInputElement>('fichier');
const sourceInput = byId<HTMLInputElement>('source');
const tokenInput = byId<HTMLInputElement>('jeton');
const status = byId('etat');
const output = byId('rapport');
const maxBytes = Number(byId('contenu').dataset.max);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void validate();
});

async function validate(): Promise<void> {
  const file = input.files?.[0];
  output.replaceChildren();
  if (!file) {
    status.textContent = 'Choisissez un fichier à valider.';
    input.focus();
    return;
  }
  if (file.size > maxBytes) {
    status.textContent = `Le fichier dépasse la taille maximale (${frenchNumber.format(Math.round(maxBytes / 1048576))} Mo).`;
    return;
  }
  status.textContent = `Validation de ${file.name} en cours…`;
  const params = new URLSearchParams({ nom: file.name });
  if (sourceInput.value.trim()) params.set('source', sourceInput.value.trim());
  let response: Response;
  try {
    response = await fetch(`/valideur/rapport?${params}`, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } });
  } catch {
    status.textContent = "Le fichier n'a pas pu être envoyé (connexion interrompue).";
    return;
  }
  const body = (await response.json().catch(() => ({ erreur: `Réponse illisible (HTTP ${response.status}).` }))) as Report & { erreur?: string };
  if (!response.ok || body.erreur) {
    status.textContent = '';
    output.replaceChildren(h('div', { class: 'fr-alert fr-alert--error', role: 'alert' }, h('h2', { class: 'fr-alert__title' }, 'Fichier refusé'), h('p', {}, body.erreur ?? `HTTP ${response.status}`)));
    return;
  }
  render(body);
  if (tokenInput.value.trim() && body.summary.valid > 0) output.insertBefore(importButton(file, body), output.children[2] ?? null);
  const { errors, warnings } = body.summary;
  status.textContent = `Validation terminée : ${plural(errors, 'erreur')}, ${plural(warnings, 'avertissement')}.`;
}

/** With a producer's token: imports the same file (POST /valideur/import), the valid rows written, and says what was. */
function importButton(file: File, report: Report): HTMLElement {
  const result = h('div', { role: 'status', 'aria-live': 'polite' });
  const button = h('button', { class: 'fr-btn', type: 'button', id: 'importer' }, `Importer les ${frenchNumber.format(report.summary.valid)} lignes valides`) as HTMLButtonElement;
  button.addEventListener('click', () => {
    button.disabled = true;
    result.textContent = `Import de ${file.name} en cours…`;
    void (async () => {
      const params = new URLSearchParams({ nom: file.name });
      if (sourceInput.value.trim()) params.set('source', sourceInput.value.trim());
      let response: Response;
      try {
        response = await fetch(`/valideur/import?${params}`, {
          method: 'POST',
          body: file,
          headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${tokenInput.value.trim()}` },
        });
      } catch {
        result.textContent = "Le fichier n'a pas pu être envoyé (connexion interrompue).";
        button.disabled = false;
        return;
      }
      const body = (await response.json().catch(() => ({ erreur: `Réponse illisible (HTTP ${response.status}).` }))) as Report & { erreur?: string };
      if (!response.ok || body.erreur) {
        result.replaceChildren(h('div', { class: 'fr-alert fr-alert--error', role: 'alert' }, h('p', {}, body.erreur ?? `HTTP ${response.status}`)));
        button.disabled = false;
        return;
      }
      const s = body.summary;
      result.replaceChildren(
        h('div', { class: 'fr-alert fr-alert--success', 'data-import': 'ok' }, h('p', {}, `Import terminé dans la source ${body.source} : ${plural(s.written, 'ligne')} écrite${s.written > 1 ? 's' : ''}, ${plural(s.unchanged, 'ligne')} identique${s.unchanged > 1 ? 's' : ''}, ${plural(s.rejected, 'ligne')} refusée${s.rejected > 1 ? 's' : ''}.`)),
      );
    })();
  });
  return h('div', { class: 'fr-mb-3w' }, button, result);
}

function plural(n: number, word: string): string {
  return `${frenchNumber.format(n)} ${word}${n > 1 ? 's' : ''}`;
}

function render(report: Report): void {
  const s = report.summary;
  const ok = s.errors === 0;
  output.append(
    h('h2', {}, `Rapport : ${report.file}`),
    h(
      'div',
      { class: `fr-alert ${ok ? 'fr-alert--success' : 'fr-alert--warning'} fr-mb-3w` },
      h('h3', { class: 'fr-alert__title' }, ok ? 'Aucune erreur : toutes les lignes seraient importées' : `${plural(s.rejected, 'ligne')} sur ${frenchNumber.format(s.read)} seraient refusées`),
      h('p', {}, `${plural(s.read, 'ligne')} lues, ${plural(s.valid, 'ligne')} valides, ${plural(s.rejected, 'ligne')} refusées, ${plural(s.ignored, 'ligne')} de contrôle ignorées (__ignore__) ; ${plural(s.errors, 'erreur')}, ${plural(s.warnings, 'avertissement')}.`),
    ),
    h(
      'p',
      { class: 'fr-btns-group fr-btns-group--inline fr-mb-3w' },
      download('Télécharger le rapport (CSV)', `${report.file}.rapport.csv`, 'text/csv', toCsv(report)),
      download('Télécharger le rapport (JSON)', `${report.file}.rapport.json`, 'application/json', JSON.stringify(report, null, 2)),
    ),
    section('Erreurs', 'Lignes refusées à l’import', report.errors, report.unlisted.errors),
    section('Avertissements', 'Lignes importées, à corriger de préférence', report.warnings, report.unlisted.warnings),
  );
}

function download(label: string, name: string, type: string, content: string): HTMLElement {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
  return h('a', { class: 'fr-btn fr-btn--secondary', href: url, download: name }, label);
}

const COLUMNS: [keyof Problem, string][] = [
  ['severity', 'gravite'],
  ['kind', 'type'],
  ['sheet', 'feuille'],
  ['line', 'ligne'],
  ['column', 'colonne'],
  ['id', 'id'],
  ['field', 'champ'],
  ['value', 'valeur'],
  ['message', 'message'],
];

function toCsv(report: Report): string {
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value);
    return /[",;\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [COLUMNS.map(([, name]) => name).join(',')];
  for (const problem of [...report.errors, ...report.warnings]) lines.push(COLUMNS.map(([key]) => cell(problem[key])).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

function section(title: string, hint: string, problems: Problem[], unlisted: number): HTMLElement {
  const groups = new Map<string, Problem[]>();
  for (const problem of problems) {
    const key = problem.field?.replace(/\[\d+\]$/, '') ?? '(ligne ou fichier)';
    groups.set(key, [...(groups.get(key) ?? []), problem]);
  }
  const part = h('section', { class: 'fr-mb-4w', 'data-section': title }, h('h2', {}, `${title} (${frenchNumber.format(problems.length + unlisted)})`), h('p', { class: 'fr-hint-text' }, hint));
  if (!problems.length) part.append(h('p', {}, `Aucun${title === 'Erreurs' ? 'e erreur' : ' avertissement'}.`));
  for (const [field, list] of [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    part.append(
      h(
        'div',
        { class: 'fr-table fr-mb-2w' },
        h(
          'table',
          { 'data-field': field },
          h('caption', {}, `${field} : ${frenchNumber.format(list.length)}`),
          h('thead', {}, h('tr', {}, ...['Feuille', 'Ligne', 'Colonne', 'Identifiant', 'Valeur', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...list.map((p) => h('tr', {}, ...[p.sheet, p.line, p.column, p.id, p.value, p.message].map((v) => h('td', {}, v === undefined ? '' : String(v)))))),
        ),
      ),
    );
  }
  if (unlisted) part.append(h('p', {}, `… et ${frenchNumber.format(unlisted)} autres, comptés mais non listés.`));
  return part;
}
