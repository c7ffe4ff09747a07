// Validation against the vendored HSDS 3.0 schemas (test/fixtures/hsds-3, Open Referral, CC BY-SA 4.0).
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const DIR = path.join(__dirname, '../fixtures/hsds-3');

export function readSpec<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as T;
}

/** One base for every vendored schema: tabular.json's `$ref: "phone.json"` resolves to the object schema beside it. */
const BASE = 'https://hsds.test/schema/';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function createAjv(): Ajv {
  // The compiled schemas refer to the object schemas by bare file name: they get ids in the same folder (compiled-*.json).
  const instance = addFormats(new Ajv({ strict: false, allErrors: true }));
  for (const file of fs.readdirSync(path.join(DIR, 'schema'))) {
    if (file.endsWith('.json')) instance.addSchema({ ...readSpec(`schema/${file}`), $id: `${BASE}${file}` });
  }
  return instance;
}

/**
 * A validator of one vendored schema. The HSDS schemas declare no `$schema` (draft-07 keywords only) and carry
 * the specification's own annotations (`name`, `path`, `constraints`, `core`…): not strict about unknown keywords.
 */
export function validator(file: 'service.json' | 'organization.json' | 'tabular.json'): ValidateFunction {
  let validate = compiled.get(file);
  if (!validate) {
    ajv ??= createAjv();
    validate = ajv.compile({ ...readSpec(`schema/compiled/${file}`), $id: `${BASE}compiled-${file}` });
    compiled.set(file, validate);
  }
  return validate;
}

export function errorsOf(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 2);
}

/** The fields each table requires in the tabular form beyond the JSON `required` (tabular.json's `tabular_required`). */
export function tabularRequired(): Record<string, string[]> {
  const tabular = readSpec<{ properties: Record<string, { items: { required?: string[]; tabular_required?: string[] } }> }>('schema/compiled/tabular.json');
  return Object.fromEntries(Object.entries(tabular.properties).map(([name, schema]) => [name, [...(schema.items.required ?? []), ...(schema.items.tabular_required ?? [])]]));
}
