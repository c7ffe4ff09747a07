import { valueFromASTUntyped, GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode, shown } from '../errors';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Years a date or an instant may have: 0001 to 9999, ISO 8601's four digits without year 0 (1 BC), which
 * JavaScript reads but the store refuses. An instant is checked in UTC (`0001-01-01T00:00:00+01:00` is year 0).
 */
const inYears = (date: Date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function parseDate(value: unknown): Date {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const date = match ? new Date(`${value}T00:00:00.000Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !inYears(date) || date.toISOString().slice(0, 10) !== value) {
    throw invalid(`Date: ${shown(value)} is not a calendar date YYYY-MM-DD (years 0001 to 9999)`);
  }
  return date;
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !inYears(date)) {
    throw invalid(`DateTime: ${shown(value)} is not an ISO 8601 instant of years 0001 to 9999 (e.g. 2026-01-31T12:00:00Z)`);
  }
  return date;
}

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${String(value)}`);
  return date;
}

export const DateScalar = new GraphQLScalarType<Date, string>({
  name: 'Date',
  description: 'A calendar date, `YYYY-MM-DD`.',
  serialize: (value) => toDate(value).toISOString().slice(0, 10),
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid('Date: expected a string YYYY-MM-DD');
    return parseDate(ast.value);
  },
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with time zone.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid('DateTime: expected an ISO 8601 string');
    return parseDateTime(ast.value);
  },
});

/** A JSON object, served as is (the change feed's public records). Not accepted as input. */
export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GraphQLError('JSONObject: not an object');
    return value as Record<string, unknown>;
  },
  parseValue: () => {
    throw invalid('JSONObject: not accepted as input');
  },
  parseLiteral: () => {
    throw invalid('JSONObject: not accepted as input');
  },
});

/**
 * A record pushed by a producer: a JSON object in the data·inclusion v1 shape (snake_case). Only its being an
 * object is checked here; its fields are the import's to check (src/ingest/import/check.ts), so that a
 * mutation reports each bad field as a file's import does, instead of failing the whole request on coercion.
 */
export const V1RecordScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'V1Record',
  description: 'A data·inclusion v1 record (a JSON object, snake_case fields), as `passerelle import` reads one.',
  serialize: (value) => value as Record<string, unknown>,
  parseValue: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('V1Record: a record must be a JSON object');
    return value as Record<string, unknown>;
  },
  parseLiteral: (ast, variables) => {
    const value = valueFromASTUntyped(ast, variables);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('V1Record: a record must be a JSON object');
    return value as Record<string, unknown>;
  },
});
