/**
 * The widget's `<script>` snippet: `<script src="https://passerelle…/widget/embed.js" data-token="…"
 * data-thematiques="…" data-departement="…" async></script>` puts the widget's iframe where the script stands.
 */
const script = document.currentScript as HTMLScriptElement | null;
if (script) {
  const base = new URL(script.src);
  const url = new URL('/widget', base.origin);
  for (const key of ['token', 'thematiques', 'departement', 'resultats', 'titre']) {
    const value = script.dataset[key];
    if (value) url.searchParams.set(key, value);
  }
  const frame = document.createElement('iframe');
  frame.src = url.toString();
  frame.title = script.dataset.titre || 'Trouver un service près de chez soi';
  frame.width = '100%';
  frame.height = script.dataset.hauteur || '800';
  frame.setAttribute('loading', 'lazy');
  frame.style.border = '0';
  script.after(frame);
}
