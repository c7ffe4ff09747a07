import { isDeepStrictEqual } from 'node:util';
import type { ServerName, Shape } from './shapes';

/**
 * Before anything is measured, every server must answer each shape with the same data: HTTP 200, no
 * `errors`, and — once PostGraphile's names are mapped to Passerelle's (shapes.ts) — a deep-equal `data`.
 * A throughput figure for a server that answers something else would mean nothing.
 */

export class DataMismatchError extends Error {}

/** A response as the harness got it. */
export interface Answer {
  status: number;
  text: string;
}

/** Throws DataMismatchError naming the shape, the servers and the first path where they differ. */
export function checkSameData(shape: Shape, answers: Partial<Record<ServerName, Answer>>, reference: ServerName = 'passerelle'): void {
  const normalised = new Map<ServerName, unknown>();
  for (const [server, answer] of Object.entries(answers) as [ServerName, Answer][]) {
    normalised.set(server, shape.normalise[server](dataOf(shape, server, answer)));
  }
  const expected = normalised.get(reference);
  if (expected === undefined) throw new DataMismatchError(`${shape.name}: no answer from ${reference} to compare with`);
  for (const [server, data] of normalised) {
    if (server === reference || isDeepStrictEqual(data, expected)) continue;
    const where = firstDifference(expected, data, 'data');
    throw new DataMismatchError(
      `${shape.name}: ${server} does not answer the same data as ${reference}; first difference at ${where.path}: ` +
        `${reference} ${preview(where.expected)}, ${server} ${preview(where.actual)}`,
    );
  }
}

/** The `data` of a successful answer; throws DataMismatchError on a status other than 200 or any `errors`. */
export function dataOf(shape: Shape, server: ServerName, answer: Answer): unknown {
  let body: { data?: unknown; errors?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    throw new DataMismatchError(`${shape.name}: ${server} answered HTTP ${answer.status} with a body that is not JSON: ${preview(answer.text)}`);
  }
  if (answer.status !== 200 || body.errors !== undefined || body.data === undefined || body.data === null) {
    throw new DataMismatchError(`${shape.name}: ${server} answered HTTP ${answer.status}: ${preview(answer.text)}`);
  }
  return body.data;
}

/** Counts the records of an answer's lists and objects (to say the check compared something). */
export function recordCount(data: unknown): number {
  if (Array.isArray(data)) return data.reduce((n: number, item) => n + recordCount(item), 0);
  if (data === null || typeof data !== 'object') return 0;
  return 1 + Object.values(data).reduce((n: number, value) => n + recordCount(value), 0);
}

function firstDifference(expected: unknown, actual: unknown, path: string): { path: string; expected: unknown; actual: unknown } {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (!isDeepStrictEqual(expected[i], actual[i])) return firstDifference(expected[i], actual[i], `${path}[${i}]`);
    }
  } else if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (!isDeepStrictEqual(expected[key], actual[key])) return firstDifference(expected[key], actual[key], `${path}.${key}`);
    }
  }
  return { path, expected, actual };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
