import { frenchNumber, h, svg } from './dom';

/**
 * Bar charts as SVG, each with its data table (the table is the accessible version: the SVG is an image
 * with a title and description, the figures are in the table that follows). Why not @gouvfr/dsfr-chart: its
 * version 2 is Vue 3 and Chart.js compiled into web components, hundreds of kilobytes of runtime for a few
 * bar charts drawn on a canvas; these are a few lines of SVG in the DSFR's colours.
 */
export interface Bar {
  label: string;
  value: number;
}

let counter = 0;

export function barChart(title: string, bars: Bar[], options: { unit?: string; alt?: boolean } = {}): SVGElement {
  const id = `graphique-${++counter}`;
  const labelWidth = 190;
  const barHeight = 22;
  const gap = 8;
  const width = 640;
  const chartWidth = width - labelWidth - 70;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * (barHeight + gap) + gap;
  const description = bars.map((b) => `${b.label} : ${frenchNumber.format(b.value)}${options.unit ? ` ${options.unit}` : ''}`).join(' ; ');
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-titre ${id}-desc`, class: 'pa-svg' },
    svg('title', { id: `${id}-titre` }, title),
    svg('desc', { id: `${id}-desc` }, description),
  );
  bars.forEach((bar, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.max(bar.value > 0 ? 2 : 0, Math.round((bar.value / max) * chartWidth));
    chart.append(
      svg('text', { x: labelWidth - 8, y: y + barHeight * 0.7, 'text-anchor': 'end', class: 'pa-label' }, truncate(bar.label, 28)),
      svg('rect', { x: labelWidth, y, width: w, height: barHeight, class: options.alt ? 'pa-bar-alt' : 'pa-bar' }),
      svg('text', { x: labelWidth + w + 6, y: y + barHeight * 0.7, class: 'pa-label' }, frenchNumber.format(bar.value)),
    );
  });
  chart.append(svg('line', { x1: labelWidth, x2: labelWidth, y1: 0, y2: height, class: 'pa-axis' }));
  return chart;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** A DSFR table: a caption, column headers, rows of cells (numbers formatted in French). */
export function dataTable(caption: string, headers: string[], rows: (string | number | null)[][]): HTMLElement {
  const cell = (v: string | number | null) => (v === null ? '–' : typeof v === 'number' ? frenchNumber.format(v) : v);
  return h(
    'div',
    { class: 'fr-table fr-table--bordered fr-mb-4w' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, cell(first)), ...rest.map((v) => h('td', {}, cell(v)))))),
    ),
  );
}

/** A chart and its table, under a heading. */
export function chartWithTable(heading: string, chart: SVGElement, table: HTMLElement): HTMLElement {
  return h('section', { class: 'fr-mb-6w pa-chart' }, h('h2', { class: 'fr-h4' }, heading), h('figure', { class: 'fr-mb-2w', role: 'group', 'aria-label': heading }, chart), table);
}
