// How a list is written in a text cell (CSV, XLSX), as the reference writes it.
//
// data·inclusion's weekly open-data files are written by the DAG `publish_opendata`
// (gip-inclusion/data-inclusion, commit d4969e37319c7c43732fb84e77bf8a030321f781,
// pipeline/dags/data_inclusion/pipeline/dags/publish_opendata/helpers.py): the marts are read into a pandas
// DataFrame (PostgreSQL arrays become Python lists), then `df.to_csv(buf, index=False)` and
// `df.to_excel(buf, engine="xlsxwriter")`. Both write a list cell as `str(list)`, Python's repr:
// `['familles', 'jeunes']`, `[]` for an empty list, and nothing for a null. Passerelle writes the same text,
// so a reuser's parser for the reference's files reads ours, and `passerelle import` reads both (its list
// reader takes that form, src/ingest/import). JSON, NDJSON and GeoJSON carry real arrays (pandas `to_json`,
// GDAL's string lists); Parquet a LIST<STRING> column (pyarrow's `list<item: string>`).

const NEEDS_ESCAPE = /[\\'\n\r\t]/;

/** Python's repr of a str: single quotes unless the text holds one and no double quote. */
function pythonString(value: string): string {
  // Most values (nomenclature slugs) have nothing to escape: no walk over their characters.
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of value) {
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else out += char;
  }
  return out + quote;
}

/** `['familles', 'jeunes']` (Python's `str(list)`); null stays null (an empty cell). */
export function listCell(values: readonly string[] | null): string | null {
  if (values === null) return null;
  return `[${values.map(pythonString).join(', ')}]`;
}
