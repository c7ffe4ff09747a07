import type { QueryParameter } from '../route';

/**
 * Query parameters of the `/api/v1` routes, read as data·inclusion's API (FastAPI) reads them: lists as repeated
 * keys, booleans as `true/false/1/0/yes/no/on/off`, numbers checked against their bounds. This file checks only
 * the *form* of a value; what a value means (a thématique, a public…) is the graph's to check
 * (src/graph/filters.ts), so a value refused by the graph is refused here with the same rule.
 */

/** A 422 the way the reference's framework writes it: `{ detail: [{ type, loc, msg, input }] }`, or a sentence. */
export class RestInputError extends Error {
  constructor(readonly detail: string | { type: string; loc: (string | number)[]; msg: string; input?: unknown }[]) {
    super(typeof detail === 'string' ? detail : detail.map((d) => d.msg).join('; '));
  }
}

/** One bad query parameter, as FastAPI reports it. */
export function badParameter(name: string, msg: string, input?: unknown, type = 'value_error'): RestInputError {
  return new RestInputError([{ type, loc: ['query', name], msg, ...(input === undefined ? {} : { input }) }]);
}

export type ParsedQuery = Record<string, string | number | boolean | string[] | undefined>;

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** The parameters a route declares, read from the URL; others are ignored (as the reference does). */
export function parseQuery(search: URLSearchParams, declared: readonly QueryParameter[]): ParsedQuery {
  const parsed: ParsedQuery = {};
  for (const p of declared) {
    const values = search.getAll(p.name).filter((v) => v !== '');
    if (values.length === 0) {
      if (p.default !== undefined) parsed[p.name] = p.default;
      continue;
    }
    if (p.list) {
      parsed[p.name] = [...new Set(values)];
      continue;
    }
    const raw = values[values.length - 1];
    if (p.type === 'string') parsed[p.name] = raw;
    else if (p.type === 'boolean') {
      const lower = raw.toLowerCase();
      if (!TRUE.has(lower) && !FALSE.has(lower)) throw badParameter(p.name, 'Input should be a valid boolean, unable to interpret input', raw, 'bool_parsing');
      parsed[p.name] = TRUE.has(lower);
    } else {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw badParameter(p.name, `Input should be a valid ${p.type === 'integer' ? 'integer' : 'number'}, unable to parse string as ${p.type === 'integer' ? 'an integer' : 'a number'}`, raw, p.type === 'integer' ? 'int_parsing' : 'float_parsing');
      if (p.type === 'integer' && !Number.isInteger(n)) throw badParameter(p.name, 'Input should be a valid integer, got a number with a fractional part', raw, 'int_from_float');
      if (p.minimum !== undefined && n < p.minimum) throw badParameter(p.name, `Input should be greater than or equal to ${p.minimum}`, raw, 'greater_than_equal');
      if (p.maximum !== undefined && n > p.maximum) throw badParameter(p.name, `Input should be less than or equal to ${p.maximum}`, raw, 'less_than_equal');
      parsed[p.name] = n;
    }
  }
  return parsed;
}
